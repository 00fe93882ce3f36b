import type { Readable } from 'node:stream';
import { RegistryClientError, type RegistryClient } from '@berth/distribution';
import type { Descriptor, RegistryBackend, StoredManifest, UploadState } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';
import type { StorageBackend } from '../storage/backend.js';
import { checkDigest, checkReference, checkRepository } from '../storage/validate.js';
import type { CacheExpiry, CachedEntry } from './cache-expiry.js';
import { fanOut } from './fan-out.js';

/** What the cache asks of the upstream registry: the pull half of the client. */
export type Upstream = Pick<RegistryClient, 'headManifest' | 'getManifest' | 'headBlob' | 'getBlob' | 'tags' | 'referrers'>;

export interface ProxyBackendOptions {
  /** Schedules what was fetched for expiry (`proxy.ttl`); absent when it is kept for good. */
  expiry?: CacheExpiry;
  log: (message: string) => void;
}

function pullOnly(): RegistryError {
  return new RegistryError('UNSUPPORTED', 'this registry is a pull-through cache: pushes and deletions are not supported');
}

/**
 * A pull-through cache: serves from `local` what it has and fetches the rest from `upstream`, storing
 * it as it streams to the client. Tags are asked of upstream on every pull (a tag moves) and answered
 * from the cache when upstream cannot be reached; digests are content, so a cached one is served as is.
 */
export class ProxyBackend implements RegistryBackend {
  // Blobs being copied into the cache: a second request for one streams from upstream without a second copy.
  private readonly filling = new Set<string>();

  constructor(
    private readonly local: StorageBackend,
    private readonly upstream: Upstream,
    private readonly options: ProxyBackendOptions,
  ) {}

  repositories(): Promise<string[]> {
    return this.local.repositories();
  }

  async statBlob(repository: string, digest: string): Promise<{ size: number } | undefined> {
    const cached = await this.local.statBlob(repository, digest);
    if (cached) return cached;
    return this.fromUpstream('blob', () => this.upstream.headBlob(repository, digest));
  }

  async readBlob(repository: string, digest: string, offset = 0, length?: number): Promise<Readable> {
    if (await this.local.statBlob(repository, digest)) return this.local.readBlob(repository, digest, offset, length);
    const range = { offset, ...(length !== undefined && { length }) };
    if (offset > 0) return (await this.fromUpstream('blob', () => this.upstream.getBlob(repository, digest, range))).stream;
    const fetched = await this.fromUpstream('blob', () => this.upstream.getBlob(repository, digest));
    if (length !== undefined && length < fetched.size) {
      // The head of the blob only: a range, passed through like any other (the cache stores whole blobs).
      fetched.stream.destroy();
      return (await this.fromUpstream('blob', () => this.upstream.getBlob(repository, digest, range))).stream;
    }
    const key = `${repository}@${digest}`;
    if (this.filling.has(key)) return fetched.stream;
    this.filling.add(key);
    const { first: toClient, second: toCache } = fanOut(fetched.stream);
    void this.fill(repository, digest, toCache).finally(() => this.filling.delete(key));
    return toClient;
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest> {
    checkRepository(repository);
    if (checkReference(reference) === 'digest') return this.manifestByDigest(repository, reference);
    let head;
    try {
      head = await this.upstream.headManifest(repository, reference);
    } catch (err) {
      if (!unreachable(err)) throw upstreamFailed(err);
      // Upstream is down: the tag as last cached, if it was.
      this.options.log(`upstream unreachable, serving ${repository}:${reference} from the cache: ${(err as Error).message}`);
      return this.local.getManifest(repository, reference);
    }
    if (!head) throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { reference });
    const tagged = await this.cachedManifest(repository, reference);
    if (tagged?.digest === head.digest) return tagged;
    const cached = await this.cachedManifest(repository, head.digest);
    const manifest = cached ?? (await this.fromUpstream('manifest', () => this.upstream.getManifest(repository, reference)));
    await this.local.putManifest(repository, reference, manifest.content, manifest.mediaType);
    if (!cached) await this.options.expiry?.add({ kind: 'manifest', repository, digest: manifest.digest });
    return { digest: manifest.digest, mediaType: manifest.mediaType, content: manifest.content };
  }

  async tags(repository: string): Promise<string[]> {
    checkRepository(repository);
    try {
      return (await this.upstream.tags(repository)).sort();
    } catch (err) {
      if (err instanceof RegistryClientError && err.notFound) throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
      if (!unreachable(err)) throw upstreamFailed(err);
      return this.local.tags(repository);
    }
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    checkRepository(repository);
    checkDigest(digest);
    const remote = await this.upstream.referrers(repository, digest).catch((err: unknown) => {
      if (!unreachable(err)) throw upstreamFailed(err);
      return undefined;
    });
    return remote ?? this.local.referrers(repository, digest);
  }

  async deleteBlob(): Promise<void> {
    throw pullOnly();
  }

  async mountBlob(): Promise<boolean> {
    throw pullOnly();
  }

  async startUpload(): Promise<UploadState> {
    throw pullOnly();
  }

  async uploadState(): Promise<UploadState> {
    throw pullOnly();
  }

  async appendUpload(): Promise<UploadState> {
    throw pullOnly();
  }

  async completeUpload(): Promise<{ size: number }> {
    throw pullOnly();
  }

  async cancelUpload(): Promise<void> {
    throw pullOnly();
  }

  async putManifest(): Promise<{ digest: string; subject?: string }> {
    throw pullOnly();
  }

  async deleteManifest(): Promise<void> {
    throw pullOnly();
  }

  private async manifestByDigest(repository: string, digest: string): Promise<StoredManifest> {
    const cached = await this.cachedManifest(repository, digest);
    if (cached) return cached;
    const manifest = await this.fromUpstream('manifest', () => this.upstream.getManifest(repository, digest));
    await this.local.putManifest(repository, digest, manifest.content, manifest.mediaType);
    await this.options.expiry?.add({ kind: 'manifest', repository, digest });
    return { digest: manifest.digest, mediaType: manifest.mediaType, content: manifest.content };
  }

  private async cachedManifest(repository: string, digest: string): Promise<StoredManifest | undefined> {
    try {
      return await this.local.getManifest(repository, digest);
    } catch (err) {
      if (err instanceof RegistryError && err.code === 'MANIFEST_UNKNOWN') return undefined;
      throw err;
    }
  }

  /** Stores the stream as the blob; never rejects: a failure leaves nothing behind and is logged (the client's copy is separate). */
  private async fill(repository: string, digest: string, data: Readable): Promise<void> {
    let uploadId: string | undefined;
    try {
      uploadId = (await this.local.startUpload(repository)).id;
      await this.local.completeUpload(repository, uploadId, digest, data);
      await this.options.expiry?.add({ kind: 'blob', repository, digest });
    } catch (err) {
      data.destroy();
      if (uploadId !== undefined) await this.local.cancelUpload(repository, uploadId).catch(() => undefined);
      this.options.log(`caching blob ${repository}@${digest} failed: ${(err as Error).message}`);
    }
  }

  /** The upstream call's answer; its 404 is BLOB_UNKNOWN or MANIFEST_UNKNOWN, any other failure UPSTREAM_FAILED. */
  private async fromUpstream<T>(kind: 'blob' | 'manifest', call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof RegistryClientError && err.notFound)) throw upstreamFailed(err);
      throw kind === 'blob' ? new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry') : new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry');
    }
  }
}

/** Removes an expired entry from the cache (a blob's content stays until garbage collection); the next pull fetches it again. */
export async function evict(local: StorageBackend, entry: CachedEntry): Promise<void> {
  const remove = entry.kind === 'blob' ? local.deleteBlob(entry.repository, entry.digest) : local.deleteManifest(entry.repository, entry.digest);
  await remove.catch((err: unknown) => {
    // Already gone: nothing left to expire.
    if (!(err instanceof RegistryError && (err.code === 'BLOB_UNKNOWN' || err.code === 'MANIFEST_UNKNOWN'))) throw err;
  });
}

/** Upstream could not be reached, or failed on its side: what the cache has may answer instead. */
function unreachable(err: unknown): boolean {
  return err instanceof RegistryClientError && (err.status === undefined || err.status >= 500);
}

function upstreamFailed(err: unknown): RegistryError {
  return new RegistryError('UPSTREAM_FAILED', `upstream registry: ${(err as Error).message}`);
}
