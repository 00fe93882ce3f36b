import { describe, expect, it } from 'vitest';
import type { PrunedType } from '../events/engine-events.js';
import { VolumeStoreService, type VolumeStoreServiceOptions } from './volume-service.js';

describe('VolumeStoreService', () => {
  it('reports a prune with what it reclaimed', async () => {
    const events: Array<[PrunedType, number]> = [];
    const store = { prune: async () => ({ VolumesDeleted: ['v1'], SpaceReclaimed: 4096 }) } as unknown as VolumeStoreServiceOptions['store'];
    const service = new VolumeStoreService({ store, events: { pruned: (type, bytes) => events.push([type, bytes]) } });
    expect(await service.prune({})).toEqual({ VolumesDeleted: ['v1'], SpaceReclaimed: 4096 });
    expect(events).toEqual([['volume', 4096]]);
  });
});
