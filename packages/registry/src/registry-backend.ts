import type { Readable } from 'node:stream';

/**
 * What the HTTP API needs of the registry's storage: repositories of blobs, uploads, manifests and
 * tags, in the OCI Distribution Specification's terms. `storage/` implements it over a StorageDriver;
 * `http/` serves it. Errors are RegistryError (registry-error.ts) with the spec's codes.
 */
export interface RegistryBackend {
  /** Repository names, sorted. */
  repositories(): Promise<string[]>;

  /** The blob's size when `repository` links it; undefined otherwise. */
  statBlob(repository: string, digest: string): Promise<{ size: number } | undefined>;
  /** The blob's bytes from `offset`, `length` of them (to the end when absent); BLOB_UNKNOWN when not linked. */
  readBlob(repository: string, digest: string, offset?: number, length?: number): Promise<Readable>;
  /** Unlinks the blob from the repository (its content stays until garbage collection); BLOB_UNKNOWN when not linked. */
  deleteBlob(repository: string, digest: string): Promise<void>;
  /** Links a blob another repository has into `repository`; false when `from` does not have it. */
  mountBlob(repository: string, from: string, digest: string): Promise<boolean>;

  /** A new upload session. */
  startUpload(repository: string): Promise<UploadState>;
  /** BLOB_UPLOAD_UNKNOWN when there is no such session. */
  uploadState(repository: string, uploadId: string): Promise<UploadState>;
  /**
   * Appends a chunk. `start`, when given (a PATCH's Content-Range), must equal the bytes received so far:
   * otherwise RANGE_INVALID (the API answers 416) and nothing is written.
   */
  appendUpload(repository: string, uploadId: string, data: Readable, start?: number): Promise<UploadState>;
  /**
   * Ends an upload, with an optional last chunk: the content must hash to `digest` (DIGEST_INVALID
   * otherwise, and the session is kept), then it becomes the blob, linked into the repository.
   */
  completeUpload(repository: string, uploadId: string, digest: string, last?: Readable): Promise<{ size: number }>;
  cancelUpload(repository: string, uploadId: string): Promise<void>;

  /** By tag or digest; MANIFEST_UNKNOWN when absent. */
  getManifest(repository: string, reference: string): Promise<StoredManifest>;
  /**
   * Stores a manifest under a tag or its digest. Checks that it parses as its media type, that its
   * config, layers and (for an index) manifests exist in the repository (MANIFEST_BLOB_UNKNOWN /
   * MANIFEST_INVALID), and that a digest reference matches the content (DIGEST_INVALID).
   */
  putManifest(repository: string, reference: string, content: Buffer, mediaType: string): Promise<{ digest: string; subject?: string }>;
  /** By digest, with the tags that point at it; by tag, the tag alone (when deletion is enabled). */
  deleteManifest(repository: string, reference: string): Promise<void>;
  /** Tags, sorted; NAME_UNKNOWN when the repository does not exist. */
  tags(repository: string): Promise<string[]>;
  /** Manifests whose `subject` is `digest`, as descriptors (with artifactType and annotations). */
  referrers(repository: string, digest: string): Promise<Descriptor[]>;
}

export interface UploadState {
  id: string;
  /** Bytes received so far. */
  size: number;
  startedAt: Date;
}

export interface StoredManifest {
  digest: string;
  mediaType: string;
  content: Buffer;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}
