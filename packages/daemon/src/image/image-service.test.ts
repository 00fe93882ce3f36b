import type { ImageSummary } from '@berth/api';
import type { PruneOptions, RemoveOptions } from '@berth/image';
import { describe, expect, it } from 'vitest';
import type { PrunedType } from '../events/engine-events.js';
import { ImageStoreService, type ImageStoreServiceOptions } from './image-service.js';

const summary = (Id: string): ImageSummary => ({ Id, Size: 5, SharedSize: -1 }) as ImageSummary;

/** A store that records what the service asks of it; `pruned` is what its prune removes. */
function setup(pruned: string[]) {
  const calls: { remove?: RemoveOptions; prune?: PruneOptions } = {};
  const events: Array<[PrunedType, number]> = [];
  const store = {
    list: () => [summary('sha256:a'), summary('sha256:b')],
    sharedSizes: () => new Map([['sha256:b', 3]]),
    remove: async (_name: string, options: RemoveOptions = {}) => {
      calls.remove = options;
      return [{ Deleted: 'sha256:a' }];
    },
    prune: async (options: PruneOptions) => {
      calls.prune = options;
      return { ImagesDeleted: pruned.map((Deleted) => ({ Deleted })), SpaceReclaimed: pruned.length * 10 };
    },
  } as unknown as ImageStoreServiceOptions['store'];
  const service = new ImageStoreService({
    store,
    containers: { usersOfImage: (id) => (id === 'sha256:used' ? [{ id: 'c1', running: false }] : []) },
    events: { pruned: (type, bytes) => events.push([type, bytes]) },
  });
  return { service, calls, events };
}

describe('ImageStoreService', () => {
  it('reports a prune with what it reclaimed, and lists nothing deleted as null', async () => {
    const some = setup(['sha256:x', 'sha256:y']);
    expect(await some.service.prune({ label: ['a=b'] })).toEqual({ ImagesDeleted: [{ Deleted: 'sha256:x' }, { Deleted: 'sha256:y' }], SpaceReclaimed: 20 });
    expect(some.events).toEqual([['image', 20]]);
    expect(some.calls.prune?.filters).toEqual({ label: ['a=b'] });

    const none = setup([]);
    expect(await none.service.prune({})).toEqual({ ImagesDeleted: null, SpaceReclaimed: 0 });
    expect(none.events).toEqual([['image', 0]]);
  });

  it("tells the store which images containers use, for prune and remove", async () => {
    const { service, calls } = setup([]);
    await service.prune({});
    expect(calls.prune?.isInUse('sha256:used')).toBe(true);
    expect(calls.prune?.isInUse('sha256:free')).toBe(false);
    await service.remove('a', { force: true });
    expect(calls.remove?.force).toBe(true);
    expect(calls.remove?.usersOf?.('sha256:used')).toEqual([{ id: 'c1', running: false }]);
  });

  it('adds SharedSize only when asked', async () => {
    const { service } = setup([]);
    expect((await service.list({})).map((i) => i.SharedSize)).toEqual([-1, -1]);
    expect((await service.list({ sharedSize: true })).map((i) => i.SharedSize)).toEqual([0, 3]);
  });
});
