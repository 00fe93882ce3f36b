import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDigest } from '@berth/reference';
import { prepareAtomicDir, writeFileAtomic } from '@berth/layer';

/** Local facts about an image that are not part of its config. */
export interface ImageMetadata {
  /** RFC 3339 time the image was last tagged locally. */
  lastTagTime?: string;
  /** The build step this image is the result of (the builder's cache key). */
  cacheKey?: string;
  /** A build's intermediate image: build cache, hidden from `docker images` until tagged or published. */
  intermediate?: boolean;
}

/** Per-image metadata as `<root>/metadata/sha256/<hex>.json`. */
export class MetadataStore {
  private readonly dir: string;

  private constructor(root: string) {
    this.dir = join(root, 'metadata', 'sha256');
  }

  static async open(root: string): Promise<MetadataStore> {
    const store = new MetadataStore(root);
    await prepareAtomicDir(store.dir);
    return store;
  }

  async get(id: string): Promise<ImageMetadata> {
    try {
      return JSON.parse(await readFile(this.pathOf(id), 'utf8')) as ImageMetadata;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  async set(id: string, metadata: ImageMetadata): Promise<void> {
    await writeFileAtomic(this.pathOf(id), JSON.stringify(metadata));
  }

  async delete(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  private pathOf(id: string): string {
    return join(this.dir, `${parseDigest(id).hex}.json`);
  }
}
