import { InvalidArgumentError, type BuildCacheRecord, type ContainerSummary, type ImageSummary, type Volume } from '@berth/api';
import type { ContainerInspection } from '../container/inspection-service.js';

const OBJECT_TYPES = ['container', 'image', 'volume', 'build-cache'] as const;

type Sized<T> = T & { SizeRw: number; SizeRootFs: number };

/** `GET /system/df`: what each kind of object uses; the kinds not asked for are null, as moby answers. */
export interface DiskUsage {
  LayersSize: number;
  Images: ImageSummary[] | null;
  Containers: Array<Sized<ContainerSummary>> | null;
  Volumes: Volume[] | null;
  BuildCache: BuildCacheRecord[] | null;
}

export interface DiskUsageSources {
  images: {
    list(options: { all: boolean }): ImageSummary[];
    /** Per image, the bytes of its layers other images use too. */
    sharedSizes(): Map<string, number>;
    /** Layer content held, each shared layer once. */
    layersSize(): number;
  };
  containers: Pick<ContainerInspection, 'list' | 'withSizes'>;
  /** Every volume with its UsageData. */
  volumes: { usage(): Promise<Volume[]> };
  /** Builds' intermediate images. */
  buildCache: { usage(): Promise<BuildCacheRecord[]> };
}

/** What images, containers and volumes use on disk: `system df`, and the sizes `?size=1` adds to containers. */
export class DiskUsageService {
  constructor(private readonly sources: DiskUsageSources) {}

  /** `types` limits the answer to these kinds of object (all of them by default); an unknown one is a 400. */
  async usage(types?: readonly string[]): Promise<DiskUsage> {
    const wanted = new Set<string>(types ?? OBJECT_TYPES);
    const unknown = [...wanted].find((type) => !(OBJECT_TYPES as readonly string[]).includes(type));
    if (unknown !== undefined) throw new InvalidArgumentError(`unknown object type: ${unknown}`);
    const { images, containers, volumes } = this.sources;
    // Builds' intermediate images are the build cache, not images.
    const allImages = images.list({ all: false });
    const allContainers = containers.list({ all: true });
    const users = new Map<string, number>();
    for (const c of allContainers) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
    const shared = wanted.has('image') ? images.sharedSizes() : new Map<string, number>();
    return {
      LayersSize: wanted.has('image') ? images.layersSize() : 0,
      Images: wanted.has('image') ? allImages.map((image) => ({ ...image, Containers: users.get(image.Id) ?? 0, SharedSize: shared.get(image.Id) ?? 0 })) : null,
      Containers: wanted.has('container') ? await this.sized(allContainers, allImages) : null,
      Volumes: wanted.has('volume') ? await volumes.usage() : null,
      BuildCache: wanted.has('build-cache') ? await this.sources.buildCache.usage() : null,
    };
  }

  /** Adds SizeRw (the read-write layer) and SizeRootFs (with its image) to container rows or an inspect. */
  withSizes<T extends { Id: string }>(rows: T[]): Promise<Array<Sized<T>>> {
    return this.sized(rows, this.sources.images.list({ all: true }));
  }

  private sized<T extends { Id: string }>(rows: T[], images: ImageSummary[]): Promise<Array<Sized<T>>> {
    const sizes = new Map(images.map((image) => [image.Id, image.Size]));
    return this.sources.containers.withSizes(rows, (id) => sizes.get(id) ?? 0);
  }
}
