import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { MediaTypes } from '@berth/oci';
import { createDigester, isDigest, parseDigest, type DigestAlgorithm } from '@berth/reference';
import { RegistryAuth, type Credentials } from './registry-auth.js';
import { RegistryClientError, responseError } from './registry-client-error.js';
import { verifiedStream } from './verified-stream.js';

/** Every manifest type a client can use, as the Accept list of a manifest request. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest];

export interface RegistryClientOptions {
  /** The registry's root, `https://host[:port]` or `http://…`. */
  url: string;
  credentials?: Credentials;
  userAgent?: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestHead {
  content: Buffer;
}

export interface Blob {
  /** The bytes that follow (the whole blob, or the range asked for). */
  size: number;
  /** Verified against the digest at its end when the whole blob was asked for. */
  stream: Readable;
}

export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ByteRange {
  offset: number;
  /** To the end when absent. */
  length?: number;
}

/** The spec's upper bound on a manifest the client reads, as the Go client has it. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * One registry's API v2 (the OCI Distribution Specification): manifests, blobs and tags, answering
 * basic and bearer-token challenges with the request's repository scope.
 */
export class RegistryClient {
  private readonly base: URL;
  private readonly auth: RegistryAuth;

  constructor(private readonly options: RegistryClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new RegistryClientError(`registry URL ${options.url}: must be http:// or https://`);
    this.auth = new RegistryAuth(options.credentials);
  }

  /** The manifest's digest, type and size, or undefined when the registry does not have it. */
  async headManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<ManifestHead | undefined> {
    const response = await this.request('HEAD', repository, `manifests/${reference}`, { accept: accept.join(', ') });
    if (response.status === 404) return undefined;
    if (!response.ok) throw await responseError(response, `manifest ${repository}:${reference}`);
    const digest = response.headers.get('docker-content-digest');
    if (!digest || !isDigest(digest)) throw new RegistryClientError(`manifest ${repository}:${reference}: the registry gave no digest`, response.status);
    return { digest, mediaType: contentType(response), size: Number(response.headers.get('content-length') ?? 0) };
  }

  /** The manifest, whose content is checked against the digest asked for, or the one the registry names. */
  async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<Manifest> {
    const response = await this.request('GET', repository, `manifests/${reference}`, { accept: accept.join(', ') });
    if (!response.ok) throw await responseError(response, `manifest ${repository}:${reference}`);
    const content = await readLimited(response, MAX_MANIFEST_BYTES, `manifest ${repository}:${reference}`);
    const expected = isDigest(reference) ? reference : response.headers.get('docker-content-digest') ?? undefined;
    const digest = digestOf(content, expected);
    if (expected !== undefined && digest !== expected) {
      throw new RegistryClientError(`manifest ${repository}:${reference}: the content hashes to ${digest}, not ${expected}`);
    }
    return { digest, mediaType: contentType(response, content), size: content.length, content };
  }

  /** The blob's size, or undefined when the repository does not have it. */
  async headBlob(repository: string, digest: string): Promise<{ size: number } | undefined> {
    const response = await this.request('HEAD', repository, `blobs/${digest}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw await responseError(response, `blob ${digest}`);
    return { size: Number(response.headers.get('content-length') ?? 0) };
  }

  /** The blob's bytes, whole (verified) or a `range` of them (unverifiable on its own). */
  async getBlob(repository: string, digest: string, range?: ByteRange): Promise<Blob> {
    const headers: Record<string, string> = {};
    if (range) headers.range = `bytes=${range.offset}-${range.length === undefined ? '' : range.offset + range.length - 1}`;
    const response = await this.request('GET', repository, `blobs/${digest}`, headers);
    if (!response.ok) throw await responseError(response, `blob ${digest}`);
    if (range && response.status !== 206) {
      await response.body?.cancel();
      throw new RegistryClientError(`blob ${digest}: the registry does not serve byte ranges`, response.status);
    }
    const size = Number(response.headers.get('content-length') ?? Number.NaN);
    const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    const known = Number.isFinite(size) ? size : undefined;
    if (range) return { size: known ?? 0, stream: body };
    const verified = verifiedStream(digest, known);
    body.on('error', (err) => verified.destroy(err));
    verified.on('close', () => body.destroy());
    return { size: known ?? 0, stream: body.pipe(verified) };
  }

  /** Every tag of the repository, following `Link` pagination. */
  async tags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = 'tags/list';
    while (next !== undefined) {
      const response = await this.request('GET', repository, next);
      if (!response.ok) throw await responseError(response, `tags of ${repository}`);
      const page = (await response.json()) as { tags?: unknown };
      if (Array.isArray(page.tags)) tags.push(...page.tags.filter((tag): tag is string => typeof tag === 'string'));
      next = nextPage(response.headers.get('link'), repository);
    }
    return tags;
  }

  /**
   * The referrers index of a manifest (OCI 1.1), or undefined when the registry has no referrers API
   * (a registry before OCI 1.1 answers 404 to the path).
   */
  async referrers(repository: string, digest: string): Promise<ReferrerDescriptor[] | undefined> {
    const response = await this.request('GET', repository, `referrers/${digest}`, { accept: MediaTypes.OciIndex });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw await responseError(response, `referrers of ${digest}`);
    const index = JSON.parse((await readLimited(response, MAX_MANIFEST_BYTES, `referrers of ${digest}`)).toString('utf8')) as { manifests?: unknown };
    return Array.isArray(index.manifests) ? (index.manifests as ReferrerDescriptor[]) : [];
  }

  /** `path` is relative to `/v2/<repository>/`; a 401 is answered once with the credentials its challenge asks for. */
  private async request(method: string, repository: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = new URL(`/v2/${repository}/${path}`, this.base);
    const scope = `repository:${repository}:pull`;
    const send = (authorization: string | undefined) => {
      const all: Record<string, string> = { ...headers };
      if (authorization) all.authorization = authorization;
      if (this.options.userAgent) all['user-agent'] = this.options.userAgent;
      return fetch(url, { method, headers: all }).catch((err: Error) => {
        throw new RegistryClientError(`${method} ${url.origin}${url.pathname}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      });
    };
    const response = await send(this.auth.headerFor(scope));
    if (response.status !== 401) return response;
    const authorization = await this.auth.answer(response.headers.get('www-authenticate'), scope);
    if (authorization === undefined) return response;
    await response.body?.cancel();
    return send(authorization);
  }
}

function contentType(response: Response, content?: Buffer): string {
  const declared = response.headers.get('content-type')?.split(';')[0]!.trim();
  if (declared && declared !== 'application/octet-stream' && declared !== 'text/plain') return declared;
  try {
    const { mediaType } = JSON.parse(content?.toString('utf8') ?? '{}') as { mediaType?: unknown };
    if (typeof mediaType === 'string') return mediaType;
  } catch {
    // Not JSON: the declared type, whatever it is, is all there is.
  }
  return declared ?? '';
}

/** The content's digest in the algorithm of `expected` (sha256 when none is known). */
function digestOf(content: Buffer, expected: string | undefined): string {
  const algorithm = expected && isDigest(expected) ? (parseDigest(expected).algorithm as DigestAlgorithm) : 'sha256';
  const digester = createDigester(algorithm);
  digester.update(content);
  return digester.digest();
}

/** The body, refused as soon as it is known to pass `limit`: a hostile registry cannot make the client hold more. */
async function readLimited(response: Response, limit: number, what: string): Promise<Buffer> {
  const tooLarge = () => new RegistryClientError(`${what}: larger than ${limit} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) {
      await response.body?.cancel();
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The path after `/v2/<repository>/` that a `Link: <…>; rel="next"` header names, if any. */
function nextPage(link: string | null, repository: string): string | undefined {
  const target = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1];
  if (!target) return undefined;
  const url = new URL(target, 'http://registry');
  const prefix = `/v2/${repository}/`;
  return url.pathname.startsWith(prefix) ? `${url.pathname.slice(prefix.length)}${url.search}` : undefined;
}
