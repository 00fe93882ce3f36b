import { formatPlatform, MediaTypes, platformMatches, type Descriptor, type ImageManifest, type Platform } from '@berth/oci';
import { RegistryClientError } from '../registry-client-error.js';
import type { RegistryClient } from '../registry-client.js';

/** The image a reference names, for one platform: what a pull stores. */
export interface ResolvedImage {
  /** The digest the reference resolved to (an index's, for a multi-platform image): the RepoDigest. */
  digest: string;
  manifest: ImageManifest;
  /** The config blob, verified. */
  config: Buffer;
  /** A single-platform image's own platform, when the user asked for another (moby pulls it all the same, with a warning). */
  otherPlatform?: Platform;
}

const INDEX_TYPES = new Set<string>([MediaTypes.OciIndex, MediaTypes.DockerManifestList]);
const IMAGE_TYPES = new Set<string>([MediaTypes.OciManifest, MediaTypes.DockerManifest]);
// A config is small; a larger one is a hostile registry, not an image.
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** The manifests of an index could not serve the platform; Docker's message. */
export class NoMatchingPlatformError extends RegistryClientError {
  constructor(platform: Platform) {
    super(`no matching manifest for ${formatPlatform(platform)} in the manifest list entries`, 404);
    this.name = 'NoMatchingPlatformError';
  }
}

/**
 * Resolves `reference` (a tag or a digest) in `repository` to an image manifest for `platform`,
 * choosing from an index the first entry whose platform matches, and fetches its config.
 * `explicitPlatform` says the user asked for the platform: a single-platform image of another says so.
 */
export async function resolveImage(client: RegistryClient, repository: string, reference: string, platform: Platform, explicitPlatform: boolean): Promise<ResolvedImage> {
  const top = await client.getManifest(repository, reference);
  let manifest = top;
  if (INDEX_TYPES.has(top.mediaType)) {
    const entries = (parse(top.content, `index ${top.digest}`) as { manifests?: Descriptor[] }).manifests ?? [];
    const chosen = entries.find((entry) => entry.platform !== undefined && IMAGE_TYPES.has(entry.mediaType) && platformMatches(platform, entry.platform));
    if (!chosen) throw new NoMatchingPlatformError(platform);
    manifest = await client.getManifest(repository, chosen.digest);
  }
  if (!IMAGE_TYPES.has(manifest.mediaType)) throw new RegistryClientError(`unsupported manifest media type ${manifest.mediaType} for ${repository}:${reference}`);
  const image = parse(manifest.content, `manifest ${manifest.digest}`) as Partial<ImageManifest>;
  if (!isDescriptor(image.config) || !Array.isArray(image.layers) || !image.layers.every(isDescriptor)) {
    throw new RegistryClientError(`invalid manifest ${manifest.digest}: it needs a config and layers`);
  }
  const config = await fetchConfig(client, repository, image.config);
  const resolved: ResolvedImage = { digest: top.digest, manifest: image as ImageManifest, config };
  if (explicitPlatform && manifest === top) {
    const configured = parse(config, `config ${image.config.digest}`) as Partial<Platform>;
    const own: Platform = { os: String(configured.os ?? ''), architecture: String(configured.architecture ?? ''), ...(configured.variant && { variant: String(configured.variant) }) };
    if (!platformMatches(platform, own)) resolved.otherPlatform = own;
  }
  return resolved;
}

/** An image config blob, verified and bounded by its descriptor's size (at most 8 MiB). */
export async function fetchConfig(client: RegistryClient, repository: string, descriptor: Descriptor): Promise<Buffer> {
  if (descriptor.size > MAX_CONFIG_BYTES) throw new RegistryClientError(`image config ${descriptor.digest} is larger than ${MAX_CONFIG_BYTES} bytes`);
  const blob = await client.getBlob(repository, descriptor.digest);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of blob.stream) {
    received += (chunk as Buffer).length;
    if (received > descriptor.size) {
      blob.stream.destroy();
      throw new RegistryClientError(`image config ${descriptor.digest}: more than the ${descriptor.size} bytes its descriptor gives`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** What `GET /distribution/{name}/json` reports: the manifest's descriptor and the platforms it serves (an index's entries, or its config's). */
export async function inspectRemoteImage(client: RegistryClient, repository: string, reference: string): Promise<{ descriptor: Descriptor; platforms: Platform[] }> {
  const manifest = await client.getManifest(repository, reference);
  const descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
  const body = parse(manifest.content, `manifest ${manifest.digest}`) as { manifests?: Partial<Descriptor>[]; config?: unknown };
  if (INDEX_TYPES.has(manifest.mediaType)) {
    return { descriptor, platforms: (body.manifests ?? []).flatMap((entry) => (entry.platform ? [entry.platform] : [])) };
  }
  if (!isDescriptor(body.config)) throw new RegistryClientError(`invalid manifest ${manifest.digest}: it needs a config`);
  const config = parse(await fetchConfig(client, repository, body.config), `config ${body.config.digest}`) as Partial<Platform>;
  const platform: Platform = { architecture: String(config.architecture ?? ''), os: String(config.os ?? ''), ...(config.variant ? { variant: String(config.variant) } : {}) };
  return { descriptor, platforms: [platform] };
}

function parse(content: Buffer, what: string): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    throw new RegistryClientError(`invalid ${what}: not JSON`);
  }
}

function isDescriptor(value: unknown): value is Descriptor {
  const descriptor = value as Partial<Descriptor> | null;
  return typeof descriptor === 'object' && descriptor !== null && typeof descriptor.digest === 'string' && typeof descriptor.size === 'number' && typeof descriptor.mediaType === 'string';
}
