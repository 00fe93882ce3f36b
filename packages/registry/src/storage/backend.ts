import type { Readable } from 'node:stream';
import type { Descriptor, RegistryBackend, StoredManifest, UploadState } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';
import { BlobStore } from './blob-store.js';
import { ManifestStore } from './manifest-store.js';
import { listRepositories } from './repositories.js';
import type { StorageDriver } from './storage-driver.js';
import { UploadStore } from './upload-store.js';
import { checkDigest, checkReference, checkRepository, checkUploadId } from './validate.js';

export interface StorageBackendOptions {
  /** The Go registry's `storage.delete.enabled`: without it, deleting blobs and manifests is UNSUPPORTED. */
  deleteEnabled: boolean;
  /**
   * Whether a manifest's blobs and children must be in the repository before it is stored (the
   * default). A pull-through cache stores manifests first and fetches their blobs when asked.
   */
  requireReferences?: boolean;
  /** The Go registry's `storage.maintenance.readonly`: pulls only; uploads, manifest writes and deletions are UNSUPPORTED. */
  readOnly?: boolean;
}

/**
 * The registry over a StorageDriver, in the Go registry's layout. Validates every name, tag, digest
 * and upload id before it reaches a path.
 */
export class StorageBackend implements RegistryBackend {
  // Every method is async so that a refused argument rejects rather than throws.
  private readonly blobs: BlobStore;
  private readonly uploads: UploadStore;
  private readonly manifests: ManifestStore;

  constructor(
    readonly driver: StorageDriver,
    private readonly options: StorageBackendOptions,
  ) {
    this.blobs = new BlobStore(driver);
    this.uploads = new UploadStore(driver, this.blobs);
    this.manifests = new ManifestStore(driver, this.blobs, options.requireReferences ?? true);
  }

  async repositories(): Promise<string[]> {
    return listRepositories(this.driver);
  }

  async statBlob(repository: string, digest: string): Promise<{ size: number } | undefined> {
    checkRepository(repository);
    checkDigest(digest);
    const size = await this.blobs.linkedSize(repository, digest);
    return size === undefined ? undefined : { size };
  }

  async readBlob(repository: string, digest: string, offset?: number, length?: number): Promise<Readable> {
    checkRepository(repository);
    checkDigest(digest);
    return this.blobs.read(repository, digest, offset, length);
  }

  async deleteBlob(repository: string, digest: string): Promise<void> {
    this.checkWritable();
    checkRepository(repository);
    checkDigest(digest);
    this.checkDeleteEnabled();
    return this.blobs.unlink(repository, digest);
  }

  async mountBlob(repository: string, from: string, digest: string): Promise<boolean> {
    this.checkWritable();
    checkRepository(repository);
    checkRepository(from);
    checkDigest(digest);
    return this.blobs.mount(repository, from, digest);
  }

  async startUpload(repository: string): Promise<UploadState> {
    this.checkWritable();
    checkRepository(repository);
    return this.uploads.start(repository);
  }

  async uploadState(repository: string, uploadId: string): Promise<UploadState> {
    checkRepository(repository);
    checkUploadId(uploadId);
    return this.uploads.state(repository, uploadId);
  }

  async appendUpload(repository: string, uploadId: string, data: Readable, start?: number): Promise<UploadState> {
    this.checkWritable();
    checkRepository(repository);
    checkUploadId(uploadId);
    return this.uploads.append(repository, uploadId, data, start);
  }

  async completeUpload(repository: string, uploadId: string, digest: string, last?: Readable): Promise<{ size: number }> {
    this.checkWritable();
    checkRepository(repository);
    checkUploadId(uploadId);
    checkDigest(digest);
    return this.uploads.complete(repository, uploadId, digest, last);
  }

  async cancelUpload(repository: string, uploadId: string): Promise<void> {
    checkRepository(repository);
    checkUploadId(uploadId);
    return this.uploads.cancel(repository, uploadId);
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest> {
    checkRepository(repository);
    return this.manifests.get(repository, reference, checkReference(reference));
  }

  async putManifest(repository: string, reference: string, content: Buffer, mediaType: string): Promise<{ digest: string; subject?: string }> {
    this.checkWritable();
    checkRepository(repository);
    return this.manifests.put(repository, reference, checkReference(reference), content, mediaType);
  }

  async deleteManifest(repository: string, reference: string): Promise<void> {
    this.checkWritable();
    checkRepository(repository);
    const kind = checkReference(reference);
    this.checkDeleteEnabled();
    return this.manifests.delete(repository, reference, kind);
  }

  async tags(repository: string): Promise<string[]> {
    checkRepository(repository);
    return this.manifests.tags(repository);
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    checkRepository(repository);
    checkDigest(digest);
    return this.manifests.referrers(repository, digest);
  }

  private checkWritable(): void {
    if (this.options.readOnly) throw new RegistryError('UNSUPPORTED', 'the registry is in read-only mode');
  }

  private checkDeleteEnabled(): void {
    if (!this.options.deleteEnabled) throw new RegistryError('UNSUPPORTED', 'deletion is disabled in this registry');
  }
}
