import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
// undici's own fetch, not Node's bundled one: before undici 8.6 fetch kept every chunk of a streamed
// request body (a pushed layer) in memory until the request ended (nodejs/undici#4058).
import { Agent, fetch, getGlobalDispatcher, interceptors, request, Response as FetchResponse, type Dispatcher, type RequestInit, type Response } from 'undici';
import { PassThrough, type Readable } from 'node:stream';
import { MediaTypes } from '@berth/oci';
import { createDigester, isDigest, parseDigest, type DigestAlgorithm } from '@berth/reference';
import { readBounded, readBoundedJson } from './bounded-body.js';
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
  /** How HTTPS connections are checked: the system's CAs and no client certificate when absent. */
  tls?: RegistryTls;
}

/** A registry's TLS: extra CAs (PEM), a client certificate, or no verification at all (an insecure registry). */
export interface RegistryTls {
  ca?: string[];
  cert?: string;
  key?: string;
  insecureSkipVerify?: boolean;
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
  /** The bytes that follow (the whole blob, or the range asked for); NaN when the registry does not say. */
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
// A page of tags is a small JSON document; a larger one is a hostile registry.
const MAX_TAGS_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * One registry's API v2 (the OCI Distribution Specification): manifests, blobs and tags, answering
 * basic and bearer-token challenges with the request's repository scope.
 */
export class RegistryClient {
  private readonly base: URL;
  private readonly auth: RegistryAuth;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(private readonly options: RegistryClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new RegistryClientError(`registry URL ${options.url}: must be http:// or https://`);
    this.dispatcher = options.tls && tlsDispatcher(options.tls);
    this.auth = new RegistryAuth(options.credentials, Date.now, (url, init) => fetch(url, this.withDispatcher(init)));
  }

  /** The registry's root URL. */
  get url(): string {
    return this.base.origin;
  }

  /** Whether the registry answers `/v2/` (a 401 counts: it is there); a RegistryClientError without a status when it cannot be reached. */
  async ping(): Promise<void> {
    const response = await this.send('GET', '/v2/', '', {});
    await response.body?.cancel();
    if (!response.ok && response.status !== 401) throw await responseError(response, `registry ${this.base.origin}`);
  }

  /** `docker login`: `/v2/` with the credentials, answering its challenge; a RegistryClientError (401) when they are refused. */
  async login(): Promise<void> {
    const response = await this.send('GET', '/v2/', '', {});
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    await response.body?.cancel();
    // moby's words, with the status's reason phrase rather than the registry's body.
    throw new RegistryClientError(`login attempt to ${this.base.origin}/v2/ failed with status: ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trim(), response.status);
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
    const content = await readBounded(response, MAX_MANIFEST_BYTES, `manifest ${repository}:${reference}`);
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
    const blob = await this.getBlobUnverified(repository, digest, range);
    if (range) return blob;
    const verified = verifiedStream(digest, Number.isFinite(blob.size) ? blob.size : undefined);
    blob.stream.on('error', (err) => verified.destroy(err));
    verified.on('error', () => undefined);
    verified.on('close', () => blob.stream.destroy());
    return { size: blob.size, stream: blob.stream.pipe(verified) };
  }

  /**
   * The blob's bytes from `range.offset` (the whole blob without one), as the registry sends them: for a
   * caller that hashes them itself, across resumed transfers. A failure of the transfer is a
   * RegistryClientError without a status; `signal` gives the transfer up.
   */
  async getBlobUnverified(repository: string, digest: string, range?: ByteRange, signal?: AbortSignal): Promise<Blob> {
    const headers: Record<string, string> = {};
    if (range) headers.range = `bytes=${range.offset}-${range.length === undefined ? '' : range.offset + range.length - 1}`;
    const url = new URL(`/v2/${repository}/blobs/${digest}`, this.base);
    // undici's request, not fetch: a body that is a Node stream, not a web stream read back into one (about a third
    // less CPU to read a blob alone, 5% of a whole pull). Redirects (to a storage backend) are followed as fetch does.
    const attempt = (authorization: string | undefined) =>
      request(url, { method: 'GET', headers: this.headersWith(headers, authorization), dispatcher: this.redirecting(), ...(signal && { signal }) }).catch((err: Error) => {
        throw new RegistryClientError(`GET ${url.origin}${url.pathname}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      });
    const response = await this.authorized(`repository:${repository}:pull`, attempt, (answer) => ({
      status: answer.statusCode,
      challenge: headerOf(answer.headers, 'www-authenticate'),
      discard: () => answer.body.dump(),
    }));
    if (response.statusCode < 200 || response.statusCode > 299) throw await responseError(asResponse(response), `blob ${digest}`);
    if (range && response.statusCode !== 206) {
      await response.body.dump();
      throw new RegistryClientError(`blob ${digest}: the registry does not serve byte ranges`, response.statusCode, 'RANGE_UNSUPPORTED');
    }
    const size = Number(headerOf(response.headers, 'content-length') ?? Number.NaN);
    const body = response.body;
    const stream = body.pipe(new PassThrough());
    // undici's own errors (a connection cut midway) become the client's, so callers can tell them apart.
    body.on('error', (err) => stream.destroy(new RegistryClientError(`blob ${digest}: ${(err.cause as Error | undefined)?.message ?? err.message}`)));
    // A reader hears the error through its iteration; one that is done or has not started must not crash the process.
    stream.on('error', () => undefined);
    stream.on('close', () => body.destroy());
    return { size, stream };
  }

  /** Every tag of the repository, following `Link` pagination. */
  async tags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = 'tags/list';
    const seen = new Set<string>();
    while (next !== undefined) {
      // A registry whose `Link` leads back to a page already read would keep the client going for good.
      if (seen.has(next)) throw new RegistryClientError(`tags of ${repository}: the registry's pages loop back to ${next}`);
      seen.add(next);
      const response = await this.request('GET', repository, next);
      if (!response.ok) throw await responseError(response, `tags of ${repository}`);
      const page = (await readBoundedJson(response, MAX_TAGS_PAGE_BYTES, `tags of ${repository}`)) as { tags?: unknown };
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
    const index = JSON.parse((await readBounded(response, MAX_MANIFEST_BYTES, `referrers of ${digest}`)).toString('utf8')) as { manifests?: unknown };
    return Array.isArray(index.manifests) ? (index.manifests as ReferrerDescriptor[]) : [];
  }

  /** `path` is relative to `/v2/<repository>/`; the request carries the repository's scope, pull alone unless `push`. */
  private request(method: string, repository: string, path: string, headers: Record<string, string> = {}, init: { push?: boolean; body?: Readable | Buffer; signal?: AbortSignal } = {}): Promise<Response> {
    return this.send(method, `/v2/${repository}/${path}`, `repository:${repository}:${init.push ? 'pull,push' : 'pull'}`, headers, init.body, init.signal);
  }

  /** Uploads a small blob the registry lacks (an image config): a session (POST), then the content in one PUT with its digest. */
  async uploadBlob(repository: string, digest: string, content: Buffer, signal?: AbortSignal): Promise<void> {
    const session = await this.startUpload(repository, signal);
    session.searchParams.set('digest', digest);
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(content.length) };
    const done = await this.send('PUT', `${session.pathname}${session.search}`, `repository:${repository}:pull,push`, headers, content, signal);
    if (done.status !== 201) throw await responseError(done, `blob ${digest}`);
    await done.body?.cancel();
  }

  /**
   * Uploads a blob whose digest is known only once it has been read (a layer gzipped as it goes up):
   * a session (POST), the content streamed in one PATCH, then a PUT naming `digest()`, as the docker
   * engine pushes. `signal` gives the upload up.
   */
  async uploadStream(repository: string, content: Readable, digest: () => string, signal?: AbortSignal): Promise<void> {
    const scope = `repository:${repository}:pull,push`;
    // Until the PATCH reads it, nothing listens to the content: a failure of it then (a read error while the
    // session starts) would be an uncaught 'error'. It is told from `content.errored` below instead.
    content.on('error', () => undefined);
    try {
      const session = await this.startUpload(repository, signal);
      const patched = await this.send('PATCH', `${session.pathname}${session.search}`, scope, { 'content-type': 'application/octet-stream' }, content, signal);
      if (patched.status !== 202) throw await responseError(patched, `blob upload to ${repository}`);
      await patched.body?.cancel();
      if (!content.readableEnded) throw new RegistryClientError(`blob upload to ${repository}: the registry answered before it had the whole blob`, patched.status);
      const next = new URL(this.pathOf(patched.headers.get('location') ?? session.href), this.base);
      next.searchParams.set('digest', digest());
      const done = await this.send('PUT', `${next.pathname}${next.search}`, scope, { 'content-length': '0' }, undefined, signal);
      if (done.status !== 201) throw await responseError(done, `blob ${digest()}`);
      await done.body?.cancel();
    } catch (err) {
      // The content is not read on after a failure: it is closed (its file with it), and its own error, if it failed, is the one to tell.
      // A reader that stopped early (the request failed on a cut connection) leaves an AbortError there: not the content's.
      const own = content.errored;
      content.destroy();
      throw own !== null && own.name !== 'AbortError' ? own : err;
    }
  }

  /** An upload session: the URL its Location gives, on this registry. */
  private async startUpload(repository: string, signal?: AbortSignal): Promise<URL> {
    const started = await this.request('POST', repository, 'blobs/uploads/', { 'content-length': '0' }, { push: true, ...(signal && { signal }) });
    if (started.status !== 202) throw await responseError(started, `blob upload to ${repository}`);
    await started.body?.cancel();
    const location = started.headers.get('location');
    if (!location) throw new RegistryClientError(`blob upload to ${repository}: the registry gave no Location`, started.status);
    return new URL(this.pathOf(location), this.base);
  }

  /** A Location's path and query on this registry: credentials never follow a Location to another host. */
  private pathOf(location: string): string {
    const target = new URL(location, this.base);
    return `${target.pathname}${target.search}`;
  }

  /**
   * Cross-repository mount: asks the registry to link a blob `from` another of its repositories into
   * `repository`. False when it will not (it answers with an upload session, which is cancelled).
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const query = `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const response = await this.send('POST', `/v2/${repository}/${query}`, `repository:${repository}:pull,push repository:${from}:pull`, { 'content-length': '0' });
    await response.body?.cancel();
    if (response.status === 201) return true;
    if (response.status !== 202) return false;
    const location = response.headers.get('location');
    if (location) await this.send('DELETE', this.pathOf(location), `repository:${repository}:pull,push`).then((done) => done.body?.cancel(), () => undefined);
    return false;
  }

  /** Stores a manifest under a tag or digest; resolves to its digest as the registry gives it. */
  async putManifest(repository: string, reference: string, mediaType: string, content: Buffer): Promise<string> {
    const response = await this.request('PUT', repository, `manifests/${reference}`, { 'content-type': mediaType }, { push: true, body: content });
    if (response.status !== 201) throw await responseError(response, `manifest ${repository}:${reference}`);
    await response.body?.cancel();
    return response.headers.get('docker-content-digest') ?? digestOf(content, undefined);
  }

  /**
   * A 401 is answered once with the credentials its challenge asks for, for `scope` ('' for none, as a
   * login). A streamed body cannot be sent twice: its request must follow one that met the challenge.
   */
  private async send(method: string, path: string, scope: string, headers: Record<string, string> = {}, body?: Readable | Buffer, signal?: AbortSignal): Promise<Response> {
    const url = new URL(path, this.base);
    const attempt = (authorization: string | undefined) => {
      const init: RequestInit = { method, headers: this.headersWith(headers, authorization), ...(signal && { signal }) };
      if (Buffer.isBuffer(body)) init.body = body;
      else if (body !== undefined) {
        init.body = body;
        init.duplex = 'half';
      }
      return fetch(url, this.withDispatcher(init)).catch((err: Error) => {
        throw new RegistryClientError(`${method} ${url.origin}${url.pathname}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      });
    };
    const read = (response: Response) => ({
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      discard: async () => void (await response.body?.cancel()),
    });
    return this.authorized(scope, attempt, read, body === undefined || Buffer.isBuffer(body));
  }

  /**
   * `attempt` with the Authorization `scope`'s earlier challenges taught; a 401 is answered once, when its challenge
   * can be and the request can be sent again (`replayable`: not a streamed body).
   */
  private async authorized<T>(
    scope: string,
    attempt: (authorization: string | undefined) => Promise<T>,
    read: (answer: T) => { status: number; challenge: string | null; discard(): Promise<void> },
    replayable = true,
  ): Promise<T> {
    const first = await attempt(this.auth.headerFor(scope));
    const { status, challenge, discard } = read(first);
    if (status !== 401 || !replayable) return first;
    const authorization = await this.auth.answer(challenge, scope, this.base.protocol === 'https:');
    if (authorization === undefined) return first;
    await discard();
    return attempt(authorization);
  }

  private headersWith(headers: Record<string, string>, authorization: string | undefined): Record<string, string> {
    const all: Record<string, string> = { ...headers };
    if (authorization) all.authorization = authorization;
    if (this.options.userAgent) all['user-agent'] = this.options.userAgent;
    return all;
  }

  /** This client's connection pool, following redirects as fetch does (for undici's `request`, which does not by itself). */
  private redirecting(): Dispatcher {
    const base = this.dispatcher ?? getGlobalDispatcher();
    let composed = redirectingDispatchers.get(base);
    if (!composed) {
      composed = base.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
      redirectingDispatchers.set(base, composed);
    }
    return composed;
  }

  /** The request on this client's connection pool (its TLS settings), when it has one of its own. */
  private withDispatcher(init: RequestInit): RequestInit {
    return this.dispatcher ? { ...init, dispatcher: this.dispatcher } : init;
  }
}

// One connection pool per TLS setting: a TLS context built from hundreds of CAs is not rebuilt per request or client.
const dispatchers = new Map<string, Dispatcher>();
const redirectingDispatchers = new WeakMap<Dispatcher, Dispatcher>();
// fetch's limit.
const MAX_REDIRECTIONS = 20;

type RequestAnswer = Dispatcher.ResponseData;

/** A header as fetch's `Headers.get` gives it: repeated ones (several `WWW-Authenticate` challenges) joined. */
function headerOf(headers: RequestAnswer['headers'], name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(', ') : value) ?? null;
}

/** A `request` answer as a fetch Response, for the error reading that Responses share. */
function asResponse(answer: RequestAnswer): Response {
  const headers = Object.entries(answer.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((one): [string, string] => [name, one]) : value === undefined ? [] : [[name, value] as [string, string]]));
  // A Response of these statuses may not have a body.
  const bodiless = [101, 204, 205, 304].includes(answer.statusCode);
  if (bodiless) void answer.body.dump();
  return new FetchResponse(bodiless ? null : answer.body, { status: answer.statusCode, statusText: STATUS_CODES[answer.statusCode] ?? '', headers });
}

function tlsDispatcher(tls: RegistryTls): Dispatcher {
  const key = createHash('sha256').update(JSON.stringify([tls.ca, tls.cert, tls.key, tls.insecureSkipVerify])).digest('hex');
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    dispatcher = newTlsAgent(tls);
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

function newTlsAgent(tls: RegistryTls): Dispatcher {
  return new Agent({
    connect: {
      ...(tls.ca?.length && { ca: tls.ca }),
      ...(tls.cert !== undefined && { cert: tls.cert }),
      ...(tls.key !== undefined && { key: tls.key }),
      rejectUnauthorized: tls.insecureSkipVerify !== true,
    },
  });
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

/** The path after `/v2/<repository>/` that a `Link: <…>; rel="next"` header names, if any. */
function nextPage(link: string | null, repository: string): string | undefined {
  const target = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1];
  if (!target) return undefined;
  const url = new URL(target, 'http://registry');
  const prefix = `/v2/${repository}/`;
  return url.pathname.startsWith(prefix) ? `${url.pathname.slice(prefix.length)}${url.search}` : undefined;
}
