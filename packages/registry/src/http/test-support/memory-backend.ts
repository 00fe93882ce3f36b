import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Descriptor, RegistryBackend, StoredManifest, UploadState } from '../../registry-backend.js';
import { RegistryError } from '../../registry-error.js';

interface Repository {
  blobs: Set<string>;
  manifests: Map<string, StoredManifest & { referrer?: { subject: string; descriptor: Descriptor } }>;
  tags: Map<string, string>;
}

interface Upload extends UploadState {
  repository: string;
  data: Buffer;
}

/** RegistryBackend in memory, for the HTTP layer's unit tests: the contract's answers without the storage. */
export class MemoryBackend implements RegistryBackend {
  readonly blobs = new Map<string, Buffer>();
  private readonly repos = new Map<string, Repository>();
  private readonly uploads = new Map<string, Upload>();

  /** Upload sessions open, for tests that check none is left behind. */
  get openUploads(): number {
    return this.uploads.size;
  }

  async repositories(): Promise<string[]> {
    return [...this.repos.keys()].sort();
  }

  async statBlob(repository: string, digest: string): Promise<{ size: number } | undefined> {
    return this.repos.get(repository)?.blobs.has(digest) ? { size: this.blobs.get(digest)!.length } : undefined;
  }

  async readBlob(repository: string, digest: string, offset = 0, length?: number): Promise<Readable> {
    if (!(await this.statBlob(repository, digest))) throw blobUnknown(digest);
    const data = this.blobs.get(digest)!;
    return Readable.from([data.subarray(offset, length === undefined ? undefined : offset + length)]);
  }

  async deleteBlob(repository: string, digest: string): Promise<void> {
    if (!this.repos.get(repository)?.blobs.delete(digest)) throw blobUnknown(digest);
  }

  async mountBlob(repository: string, from: string, digest: string): Promise<boolean> {
    if (!this.repos.get(from)?.blobs.has(digest)) return false;
    this.repo(repository).blobs.add(digest);
    return true;
  }

  async startUpload(repository: string): Promise<UploadState> {
    const upload: Upload = { id: randomUUID(), size: 0, startedAt: new Date(), repository, data: Buffer.alloc(0) };
    this.uploads.set(upload.id, upload);
    return state(upload);
  }

  async uploadState(repository: string, uploadId: string): Promise<UploadState> {
    return state(this.upload(repository, uploadId));
  }

  async appendUpload(repository: string, uploadId: string, data: Readable, start?: number): Promise<UploadState> {
    const upload = this.upload(repository, uploadId);
    if (start !== undefined && start !== upload.size) throw new RegistryError('RANGE_INVALID', 'chunk out of order', { start, size: upload.size });
    upload.data = Buffer.concat([upload.data, await buffer(data)]);
    upload.size = upload.data.length;
    return state(upload);
  }

  async completeUpload(repository: string, uploadId: string, digest: string, last?: Readable): Promise<{ size: number }> {
    if (last) await this.appendUpload(repository, uploadId, last);
    const upload = this.upload(repository, uploadId);
    if (sha256(upload.data) !== digest) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest });
    this.uploads.delete(uploadId);
    this.blobs.set(digest, upload.data);
    this.repo(repository).blobs.add(digest);
    return { size: upload.size };
  }

  async cancelUpload(repository: string, uploadId: string): Promise<void> {
    this.upload(repository, uploadId);
    this.uploads.delete(uploadId);
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest> {
    const repo = this.repos.get(repository);
    const manifest = repo?.manifests.get(repo.tags.get(reference) ?? reference);
    if (!manifest) throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reference });
    return { digest: manifest.digest, mediaType: manifest.mediaType, content: manifest.content };
  }

  async putManifest(repository: string, reference: string, content: Buffer, mediaType: string): Promise<{ digest: string; subject?: string }> {
    let parsed: { config?: { digest: string; mediaType?: string }; layers?: { digest: string }[]; manifests?: { digest: string }[]; subject?: { digest: string }; artifactType?: string; annotations?: Record<string, string> };
    try {
      parsed = JSON.parse(content.toString('utf8'));
    } catch {
      throw new RegistryError('MANIFEST_INVALID', 'manifest invalid');
    }
    const digest = sha256(content);
    if (reference.includes(':') && reference !== digest) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { reference, digest });
    const repo = this.repo(repository);
    for (const blob of [parsed.config, ...(parsed.layers ?? [])]) {
      if (blob && !repo.blobs.has(blob.digest)) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: blob.digest });
    }
    for (const child of parsed.manifests ?? []) {
      if (!repo.manifests.has(child.digest)) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 'manifest unknown', { digest: child.digest });
    }
    const subject = parsed.subject?.digest;
    const descriptor: Descriptor = { mediaType, digest, size: content.length, artifactType: parsed.artifactType ?? parsed.config?.mediaType, annotations: parsed.annotations };
    repo.manifests.set(digest, { digest, mediaType, content, referrer: subject ? { subject, descriptor } : undefined });
    if (!reference.includes(':')) repo.tags.set(reference, digest);
    return subject ? { digest, subject } : { digest };
  }

  async deleteManifest(repository: string, reference: string): Promise<void> {
    const repo = this.repos.get(repository);
    if (repo?.tags.delete(reference)) return;
    if (!repo?.manifests.delete(reference)) throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reference });
    for (const [tag, digest] of repo.tags) if (digest === reference) repo.tags.delete(tag);
  }

  async tags(repository: string): Promise<string[]> {
    const repo = this.repos.get(repository);
    if (!repo) throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
    return [...repo.tags.keys()].sort();
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    const manifests = [...(this.repos.get(repository)?.manifests.values() ?? [])];
    return manifests.flatMap(({ referrer }) => (referrer?.subject === digest ? [referrer.descriptor] : []));
  }

  private repo(name: string): Repository {
    let repo = this.repos.get(name);
    if (!repo) this.repos.set(name, (repo = { blobs: new Set(), manifests: new Map(), tags: new Map() }));
    return repo;
  }

  private upload(repository: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.repository !== repository) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uploadId });
    return upload;
  }
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function state({ id, size, startedAt }: Upload): UploadState {
  return { id, size, startedAt };
}

function blobUnknown(digest: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
}
