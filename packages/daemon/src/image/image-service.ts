import type { Readable } from 'node:stream';
import type { ImageHistoryItem, ImageInspect, ImageSummary, ProgressMessage } from '@berth/api';
import type { DeleteRecord, ImageStore } from '@berth/image';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { EngineEvents } from '../events/engine-events.js';
import type { ImageListOptions, ImageService } from '../ports.js';
import { withManifests } from './manifest-summaries.js';

export interface ImageStoreServiceOptions {
  store: Pick<ImageStore, 'resolve' | 'list' | 'inspect' | 'history' | 'tag' | 'remove' | 'prune' | 'save' | 'load' | 'manifest' | 'sharedSizes'>;
  /** Which containers use an image: they block its removal and keep it from a prune. */
  containers: Pick<ContainerInspection, 'usersOfImage'>;
  events: Pick<EngineEvents, 'pruned'>;
}

/** The image routes' service: the image store, told which containers use each image. */
export class ImageStoreService implements ImageService {
  constructor(private readonly o: ImageStoreServiceOptions) {}

  async list(options: ImageListOptions): Promise<ImageSummary[]> {
    const { store, containers } = this.o;
    let images = store.list({ all: options.all, filters: options.filters });
    if (options.sharedSize) {
      const shared = store.sharedSizes();
      images = images.map((image) => ({ ...image, SharedSize: shared.get(image.Id) ?? 0 }));
    }
    return options.manifests ? withManifests(images, store, containers) : images;
  }

  inspect(nameOrId: string): ImageInspect {
    return this.o.store.inspect(nameOrId);
  }

  history(nameOrId: string): ImageHistoryItem[] {
    return this.o.store.history(nameOrId);
  }

  tag(source: string, target: string): Promise<void> {
    return this.o.store.tag(source, target);
  }

  remove(nameOrId: string, options: { force?: boolean; noPrune?: boolean }): Promise<DeleteRecord[]> {
    return this.o.store.remove(nameOrId, { ...options, usersOf: (id) => this.o.containers.usersOfImage(id) });
  }

  async prune(filters: Record<string, string[]>): Promise<{ ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number }> {
    const report = await this.o.store.prune({ filters, isInUse: (id) => this.o.containers.usersOfImage(id).length > 0 });
    this.o.events.pruned('image', report.SpaceReclaimed);
    return { ImagesDeleted: report.ImagesDeleted.length > 0 ? report.ImagesDeleted : null, SpaceReclaimed: report.SpaceReclaimed };
  }

  save(names: string[]): Promise<Readable> {
    return this.o.store.save(names);
  }

  load(archive: Readable, options: { onProgress?: (message: ProgressMessage) => void }): Promise<string[]> {
    return this.o.store.load(archive, options);
  }
}
