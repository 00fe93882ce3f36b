import { InvalidArgumentError, NotFoundError, UnauthorizedError, UnavailableError } from '@berth/api';
import { BlobDownloads, pullImage, RegistryClient, RegistryClientError, type Credentials, type PullTarget } from '@berth/distribution';
import { HOST_ARCHITECTURE, parsePlatform, type Platform } from '@berth/oci';
import { DEFAULT_DOMAIN, familiarName, familiarString, isDigest, parseNormalizedNamed, trimNamed, withDigest, withTag, type NamedReference } from '@berth/reference';
import type { ImagePullOptions, LoginRequest, RegistryAccess } from '../ports.js';

export interface RegistryServiceOptions {
  target: PullTarget;
  /** Where layer downloads are kept while they run. */
  downloadDir: string;
  /** Layers downloaded at once per pull (Docker's `max-concurrent-downloads`). */
  maxConcurrentDownloads: number;
}

// Docker Hub's API lives at another host than its name.
const DOCKER_HUB_URL = 'https://registry-1.docker.io';

/** `docker pull` (the reference resolved on its registry, the image stored through the image store) and `docker login`. */
export class RegistryService implements RegistryAccess {
  private readonly downloads: BlobDownloads;

  constructor(private readonly o: RegistryServiceOptions) {
    this.downloads = new BlobDownloads({ directory: o.downloadDir });
  }

  async pull(image: string, options: ImagePullOptions): Promise<void> {
    const named = parseReference(image, options.tag);
    const platform: Platform = options.platform ? parsePlatform(options.platform) : { os: 'linux', architecture: HOST_ARCHITECTURE };
    const client = await this.clientFor(named.domain, options.auth);
    const references = options.allTags ? (await translated(named, () => client.tags(named.path))).map((tag) => withTag(named, tag)) : [named];
    for (const reference of references) {
      await translated(reference, () =>
        pullImage({
          client,
          reference,
          repository: reference.path,
          platform,
          explicitPlatform: options.platform !== undefined && options.platform !== '',
          target: this.o.target,
          downloads: this.downloads,
          concurrency: this.o.maxConcurrentDownloads,
          onProgress: options.onProgress,
        }),
      );
    }
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

  /** A client for the registry: HTTPS, or for a loopback registry, HTTP when it does not answer HTTPS (as Docker treats 127.0.0.0/8 as insecure). */
  private async clientFor(domain: string, credentials: Credentials | undefined): Promise<RegistryClient> {
    const auth = credentials ? { credentials } : {};
    if (domain === DEFAULT_DOMAIN) return new RegistryClient({ url: DOCKER_HUB_URL, userAgent: 'berth', ...auth });
    const secure = new RegistryClient({ url: `https://${domain}`, userAgent: 'berth', ...auth });
    if (!isLoopback(domain)) return secure;
    try {
      await secure.ping();
      return secure;
    } catch (err) {
      if (!(err instanceof RegistryClientError) || err.status !== undefined) return secure;
      return new RegistryClient({ url: `http://${domain}`, userAgent: 'berth', ...auth });
    }
  }
}

/** moby's `fromImage` + `tag`: the tag may be a digest; neither means `latest`. An invalid reference is a 400. */
function parseReference(image: string, tag: string | undefined): NamedReference {
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
  return named.tag === undefined && named.digest === undefined ? withTag(named, 'latest') : named;
}

/** The registry's refusals in Docker's words: a missing manifest or repository, or denied access, is a 404. */
async function translated<T>(reference: NamedReference, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof RegistryClientError)) throw err;
    const cause = err.code ? `${err.code.toLowerCase().replace(/_/g, ' ')}: ${err.message.replace(/^.*?: \d{3} /, '')}` : err.message;
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
  if (host === '') throw new InvalidArgumentError(`invalid registry address ${JSON.stringify(serverAddress)}`);
  return host;
}

function isLoopback(domain: string): boolean {
  const host = domain.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
