import { InvalidArgumentError, NotFoundError, UnauthorizedError, UnavailableError, type DistributionInspect } from '@berth/api';
import { stat } from 'node:fs/promises';
import { BlobDownloads, ExtractionClaims, inspectRemoteImage, pullImage, pushImage, RegistryClient, RegistryClientError, type Credentials, type LayerSources, type PullTarget } from '@berth/distribution';
import type { ImageStore, PushableImage } from '@berth/image';
import { formatPlatform, HOST_ARCHITECTURE, parsePlatform, type Platform } from '@berth/oci';
import { DEFAULT_DOMAIN, familiarName, familiarString, isDigest, parseNormalizedNamed, trimNamed, withDigest, withTag, type NamedReference } from '@berth/reference';
import type { ImagePullOptions, ImagePushOptions, LoginRequest, RegistryAccess } from '../ports.js';
import { isRegistryHost, type RegistryEndpoint, type RegistryHosts } from './registry-hosts.js';

export interface RegistryServiceOptions {
  /** Where pulls store images and pushes read them: the image store. */
  images: PullTarget & Pick<ImageStore, 'pushable' | 'recordPush'>;
  /** Where layer downloads are kept while they run. */
  downloadDir: string;
  /** Layers downloaded at once per pull (Docker's `max-concurrent-downloads`). */
  maxConcurrentDownloads: number;
  /** Layers uploaded at once per push (Docker's `max-concurrent-uploads`). */
  maxConcurrentUploads: number;
  /** Where each registry is reached: mirrors, TLS, insecure registries. */
  hosts: RegistryHosts;
  /** Where layers were pulled from and pushed to, for pushes that can skip or mount them. */
  sources: LayerSources;
  log: { warn(message: string): void };
}

/** `docker pull` (the reference resolved on its registry, the image stored through the image store) and `docker login`. */
export class RegistryService implements RegistryAccess {
  private readonly downloads: BlobDownloads;
  private readonly claims = new ExtractionClaims();

  constructor(private readonly o: RegistryServiceOptions) {
    this.downloads = new BlobDownloads({ directory: o.downloadDir });
  }

  /** A pull goes to the registry's mirrors first: one that cannot be reached or fails leaves the pull to the next, then to the registry. */
  async pull(image: string, options: ImagePullOptions): Promise<void> {
    const named = parseReference(image, options.tag);
    const endpoints = await this.o.hosts.pullEndpoints(named.domain);
    for (const endpoint of endpoints.filter((candidate) => candidate.mirror)) {
      options.signal?.throwIfAborted();
      // Credentials go to a mirror only over HTTPS: a plain-HTTP mirror gets none.
      const mirror = this.client(endpoint, endpoint.url.startsWith('https:') ? options.auth : undefined);
      try {
        await mirror.ping();
        await this.pullFrom(mirror, image, named, options);
        return;
      } catch (err) {
        // Any failure of a mirror leaves the pull to the next endpoint, unless the client has gone.
        if (options.signal?.aborted) throw err;
        this.o.log.warn(`pull of ${familiarString(named)} from mirror ${endpoint.url} failed, trying the next: ${(err as Error).message}`);
      }
    }
    options.signal?.throwIfAborted();
    const origin = await this.reachable(endpoints.filter((candidate) => !candidate.mirror), options.auth);
    await translated(named, 'pull', () => this.pullFrom(origin, image, named, options));
  }

  /** The pull of `image` (as the client named it) from one endpoint, with the registry's errors as they come; one `Status:` line at the end, as moby writes it also for every tag. */
  private async pullFrom(client: RegistryClient, image: string, named: NamedReference, options: ImagePullOptions): Promise<void> {
    const platform: Platform = options.platform ? parsePlatform(options.platform) : { os: 'linux', architecture: HOST_ARCHITECTURE };
    const references = options.allTags ? (await client.tags(named.path)).map((tag) => withTag(named, tag)) : [named];
    let updated = false;
    const warnings: string[] = [];
    for (const reference of references) {
      const pulled = await pullImage({
        client,
        registry: named.domain,
        sources: this.o.sources,
        reference,
        repository: reference.path,
        platform,
        explicitPlatform: options.platform !== undefined && options.platform !== '',
        target: this.o.images,
        downloads: this.downloads,
        claims: this.claims,
        concurrency: this.o.maxConcurrentDownloads,
        onProgress: options.onProgress,
        ...(options.signal && { signal: options.signal }),
      });
      updated ||= pulled.updated;
      if (pulled.otherPlatform) {
        warnings.push(`image with reference ${image} was found but does not match the specified platform: wanted ${formatPlatform(platform)}, actual: ${formatPlatform(pulled.otherPlatform)}`);
      }
    }
    options.onProgress({ status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(options.allTags ? trimNamed(named) : named)}` });
    // moby pulls a single-platform image of another platform all the same, and says so after the status.
    for (const warning of warnings) {
      options.onProgress({ status: `WARNING: ${warning}` });
      this.o.log.warn(`ignoring platform mismatch on single-arch image: ${warning}`);
    }
  }

  /** Removes what pulls left in the download directory before this start: finished files, and partials older than a day. */
  cleanDownloads(): Promise<void> {
    return this.downloads.clean(24 * 3_600_000);
  }

  /**
   * `docker push`: the tag (or every tag of the repository), layers the registry lacks gzipped and
   * uploaded, then the manifest; the digest it gets is recorded as a RepoDigest.
   */
  async push(name: string, options: ImagePushOptions): Promise<void> {
    const named = parseReference(name, options.tag, false);
    options.onProgress({ status: `The push refers to repository [${named.name}]` });
    const images = await this.o.images.pushable(familiarString(named));
    try {
      await this.pushEach(named, images, options);
    } finally {
      for (const image of images) image.release();
    }
  }

  private async pushEach(named: NamedReference, images: PushableImage[], options: ImagePushOptions): Promise<void> {
    const client = await this.clientFor(named.domain, options.auth);
    for (const image of images) {
      const layers = await Promise.all(image.layers.map(async (layer) => ({ diffId: layer.diffId, size: (await stat(layer.tarPath)).size, path: layer.tarPath })));
      const { digest } = await translated(named, 'push', () =>
        pushImage({
          client,
          registry: named.domain,
          sources: this.o.sources,
          repository: named.path,
          tag: image.tag,
          configBytes: image.configBytes,
          layers,
          concurrency: this.o.maxConcurrentUploads,
          onProgress: options.onProgress,
          ...(options.signal && { signal: options.signal }),
        }),
      );
      await this.o.images.recordPush(familiarString(withTag(named, image.tag)), familiarString(withDigest(trimNamed(named), digest)), image.id);
    }
  }

  /** The manifest a reference names on its registry, and its platforms: an index's entries, or the image config's. */
  async inspect(name: string, auth: Credentials | undefined): Promise<DistributionInspect> {
    const named = parseReference(name, undefined);
    const client = await this.clientFor(named.domain, auth);
    const { descriptor, platforms } = await translated(named, 'pull', () => inspectRemoteImage(client, named.path, named.digest ?? named.tag ?? 'latest'));
    return { Descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size }, Platforms: platforms };
  }

  /** Checks the credentials against the registry's `/v2/`, as `docker login` asks; an UnauthorizedError when it refuses them. */
  async login(request: LoginRequest): Promise<{ Status: string; IdentityToken: string }> {
    const domain = registryDomain(request.serveraddress);
    const client = await this.clientFor(domain, { username: request.username, password: request.password });
    try {
      await client.login();
    } catch (err) {
      if (err instanceof RegistryClientError && (err.status === 401 || err.status === 403)) throw new UnauthorizedError(err.message);
      if (err instanceof RegistryClientError) throw new UnavailableError(err.message);
      throw err;
    }
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }

  /** A client for the registry itself (never a mirror). */
  private async clientFor(domain: string, credentials: Credentials | undefined): Promise<RegistryClient> {
    return this.reachable(await this.o.hosts.endpoints(domain), credentials);
  }

  /**
   * The first endpoint that answers (an insecure registry's HTTPS, else its HTTP); an answer with an
   * error status counts, as it is the registry speaking. The last one is taken without asking.
   */
  private async reachable(endpoints: RegistryEndpoint[], credentials: Credentials | undefined): Promise<RegistryClient> {
    for (const endpoint of endpoints.slice(0, -1)) {
      const client = this.client(endpoint, credentials);
      try {
        await client.ping();
        return client;
      } catch (err) {
        if (!(err instanceof RegistryClientError) || err.status !== undefined) return client;
      }
    }
    return this.client(endpoints.at(-1)!, credentials);
  }

  private client(endpoint: RegistryEndpoint, credentials: Credentials | undefined): RegistryClient {
    return new RegistryClient({ url: endpoint.url, userAgent: 'berth', ...(credentials && { credentials }), ...(endpoint.tls && { tls: endpoint.tls }) });
  }
}

/** moby's `fromImage` + `tag`: the tag may be a digest; neither means `latest` (for a pull). An invalid reference is a 400. */
function parseReference(image: string, tag: string | undefined, defaultLatest = true): NamedReference {
  let named: NamedReference;
  try {
    named = parseNormalizedNamed(image);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  if (tag) {
    if (isDigest(tag)) return withDigest(trimNamed(named), tag);
    try {
      return withTag(named, tag);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  }
  return defaultLatest && named.tag === undefined && named.digest === undefined ? withTag(named, 'latest') : named;
}

/** The registry's refusals in Docker's words: a pull's missing manifest or repository, or denied access, is a 404. */
async function translated<T>(reference: NamedReference, action: 'pull' | 'push', call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof RegistryClientError)) throw err;
    const cause = err.code ? `${err.code.toLowerCase().replace(/_/g, ' ')}: ${err.message.replace(/^.*?: \d{3} /, '')}` : err.message;
    if (action === 'push') throw err.status === 401 || err.status === 403 ? new UnauthorizedError(cause) : new UnavailableError(cause);
    if (err.code === 'MANIFEST_UNKNOWN') throw new NotFoundError(`manifest for ${familiarString(reference)} not found: ${cause}`);
    if (err.status === 401 || err.status === 403 || err.code === 'NAME_UNKNOWN' || err.code === 'DENIED') {
      throw new NotFoundError(`pull access denied for ${familiarName(reference)}, repository does not exist or may require 'docker login': ${cause}`);
    }
    if (err.status === 404) throw new NotFoundError(err.message);
    throw new UnavailableError(err.message);
  }
}

/** The registry a login names: a host, a URL (`https://host/v1/`), or Docker Hub when empty. */
function registryDomain(serverAddress: string | undefined): string {
  const address = (serverAddress ?? '').trim();
  if (address === '' || /^(https?:\/\/)?(index\.|registry-1\.)?docker\.io(\/.*)?$/.test(address)) return DEFAULT_DOMAIN;
  const host = address.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!isRegistryHost(host)) throw new InvalidArgumentError(`invalid registry address ${JSON.stringify(serverAddress)}`);
  return host;
}
