import type { Volume, VolumePruneResponse } from '@berth/api';
import type { VolumeStore } from '@berth/volume';
import type { EngineEvents } from '../events/engine-events.js';
import type { VolumeService } from '../ports.js';

export interface VolumeStoreServiceOptions {
  store: Pick<VolumeStore, 'create' | 'get' | 'list' | 'remove' | 'prune'>;
  events: Pick<EngineEvents, 'pruned'>;
}

/** The volume routes' service: the volume store, with the prune reported (the store reports each volume's own events). */
export class VolumeStoreService implements VolumeService {
  constructor(private readonly o: VolumeStoreServiceOptions) {}

  create(options: { name?: string; driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> }): Promise<Volume> {
    return this.o.store.create(options);
  }

  get(name: string): Volume {
    return this.o.store.get(name);
  }

  list(filters: Record<string, string[]>): Volume[] {
    return this.o.store.list(filters);
  }

  remove(name: string, options: { force?: boolean }): Promise<void> {
    return this.o.store.remove(name, options);
  }

  async prune(filters: Record<string, string[]>): Promise<VolumePruneResponse> {
    const pruned = await this.o.store.prune(filters);
    this.o.events.pruned('volume', pruned.SpaceReclaimed);
    return pruned;
  }
}
