import type { Readable } from 'node:stream';
import { RegistryError } from '../registry-error.js';
import { readLink, writeLink } from './links.js';
import { blobDataPath, layerLinkDir, layerLinkPath } from './paths.js';
import { PathNotFoundError, type StorageDriver } from './storage-driver.js';

function blobUnknown(digest: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
}

/** Content-addressed blobs and the per-repository `_layers` links that make them visible. */
export class BlobStore {
  constructor(private readonly driver: StorageDriver) {}

  /** The size of the blob's content when any upload has stored it. */
  async contentSize(digest: string): Promise<number | undefined> {
    const info = await this.driver.stat(blobDataPath(digest));
    return info && !info.isDirectory ? info.size : undefined;
  }

  /** The size when `repository` links the blob and its content is there. */
  async linkedSize(repository: string, digest: string): Promise<number | undefined> {
    if ((await readLink(this.driver, layerLinkPath(repository, digest))) !== digest) return undefined;
    return this.contentSize(digest);
  }

  async read(repository: string, digest: string, offset?: number, length?: number): Promise<Readable> {
    if ((await this.linkedSize(repository, digest)) === undefined) throw blobUnknown(digest);
    try {
      return await this.driver.reader(blobDataPath(digest), offset, length);
    } catch (err) {
      if (err instanceof PathNotFoundError) throw blobUnknown(digest);
      throw err;
    }
  }

  async link(repository: string, digest: string): Promise<void> {
    await writeLink(this.driver, layerLinkPath(repository, digest), digest);
  }

  async unlink(repository: string, digest: string): Promise<void> {
    if ((await readLink(this.driver, layerLinkPath(repository, digest))) !== digest) throw blobUnknown(digest);
    await this.driver.delete(layerLinkDir(repository, digest));
  }

  async mount(repository: string, from: string, digest: string): Promise<boolean> {
    if ((await this.linkedSize(from, digest)) === undefined) return false;
    await this.link(repository, digest);
    return true;
  }
}
