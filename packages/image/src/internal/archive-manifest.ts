import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import { HOST_ARCHITECTURE, MediaTypes, type Descriptor } from '@berth/oci';
import { isDigest, parseDigest, sha256Digest } from '@berth/reference';
import { readStagedJson } from './staged-file.js';

/** One image an archive carries, with paths relative to the unpacked archive. */
export interface ArchivedImage {
  configPath: string;
  /** The digest the archive claims for the config (its file name or descriptor), if it claims one. */
  configDigest?: string;
  layerPaths: string[];
  repoTags: string[];
}

/** Manifests, indexes and configs are small; a huge one is an attack on memory, not an image. */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

/**
 * Lists the images in an unpacked archive: docker-archive (`manifest.json`, what `docker save`
 * writes) first, as moby does, else an OCI image layout (`index.json`).
 */
export async function readArchiveManifest(stagingDir: string): Promise<ArchivedImage[]> {
  if (await exists(join(stagingDir, 'manifest.json'))) return readDockerManifest(stagingDir);
  if (await exists(join(stagingDir, 'index.json'))) return readOciLayout(stagingDir);
  throw new InvalidArgumentError('invalid archive: manifest.json not found (not a docker save or OCI layout archive)');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** `<hex>.json` (older docker save) or `blobs/sha256/<hex>` (newer) name the config by its digest. */
function digestFromFileName(path: string): string | undefined {
  const match = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(path);
  return match ? `sha256:${match[1]}` : undefined;
}

async function readDockerManifest(stagingDir: string): Promise<ArchivedImage[]> {
  const { value } = await readStagedJson(stagingDir, 'manifest.json', MAX_JSON_BYTES);
  if (!Array.isArray(value)) throw new InvalidArgumentError('invalid manifest.json: expected a list of images');
  return value.map((entry: unknown, index) => {
    const item = entry as Record<string, unknown> | null;
    if (
      typeof item !== 'object' ||
      item === null ||
      typeof item.Config !== 'string' ||
      !isStringArray(item.Layers) ||
      !(item.RepoTags === undefined || item.RepoTags === null || isStringArray(item.RepoTags))
    ) {
      throw new InvalidArgumentError(`invalid manifest.json: entry ${index} needs Config, Layers and RepoTags`);
    }
    const image: ArchivedImage = { configPath: item.Config, layerPaths: item.Layers, repoTags: (item.RepoTags as string[] | null | undefined) ?? [] };
    const configDigest = digestFromFileName(item.Config);
    if (configDigest !== undefined) image.configDigest = configDigest;
    return image;
  });
}

function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

function asDescriptor(value: unknown, what: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (typeof d !== 'object' || d === null || typeof d.mediaType !== 'string' || typeof d.digest !== 'string' || !isDigest(d.digest)) {
    throw new InvalidArgumentError(`invalid ${what}: bad descriptor`);
  }
  return d as Descriptor;
}

/** Reads a JSON blob named by a descriptor, checking the blob against the descriptor's digest. */
async function readVerifiedBlob(stagingDir: string, descriptor: Descriptor): Promise<Record<string, unknown>> {
  const path = blobPath(descriptor.digest);
  const { bytes, value } = await readStagedJson(stagingDir, path, MAX_JSON_BYTES);
  if (sha256Digest(bytes) !== descriptor.digest) throw new InvalidArgumentError(`invalid archive: ${path} does not match its digest`);
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(`invalid archive: ${path} is not a JSON object`);
  return value as Record<string, unknown>;
}

function isIndex(mediaType: string): boolean {
  return mediaType === MediaTypes.OciIndex || mediaType === MediaTypes.DockerManifestList;
}

/** Picks the host platform's manifest from a multi-platform index, as `docker load` does. */
function selectPlatform(manifests: Descriptor[]): Descriptor {
  const match = manifests.find((m) => m.platform === undefined || (m.platform.os === 'linux' && m.platform.architecture === HOST_ARCHITECTURE));
  if (match === undefined) throw new InvalidArgumentError(`no matching manifest for linux/${HOST_ARCHITECTURE} in the manifest list entries`);
  return match;
}

function tagsFromAnnotations(annotations: Record<string, string> | undefined): string[] {
  const name = annotations?.['io.containerd.image.name'] ?? annotations?.['org.opencontainers.image.ref.name'];
  // A bare `org.opencontainers.image.ref.name` such as "latest" is a tag without a repository: not a name.
  return name !== undefined && /[:/]/.test(name) ? [name] : [];
}

async function readOciLayout(stagingDir: string): Promise<ArchivedImage[]> {
  const { value } = await readStagedJson(stagingDir, 'index.json', MAX_JSON_BYTES);
  const manifests = (value as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) throw new InvalidArgumentError('invalid index.json: no manifests');
  const images: ArchivedImage[] = [];
  for (const entry of manifests) {
    const top = asDescriptor(entry, 'index.json');
    let descriptor = top;
    if (isIndex(descriptor.mediaType)) {
      const nested = await readVerifiedBlob(stagingDir, descriptor);
      if (!Array.isArray(nested.manifests)) throw new InvalidArgumentError(`invalid index ${descriptor.digest}`);
      descriptor = selectPlatform(nested.manifests.map((m: unknown) => asDescriptor(m, `index ${top.digest}`)));
    }
    const manifest = await readVerifiedBlob(stagingDir, descriptor);
    const config = asDescriptor(manifest.config, `manifest ${descriptor.digest}`);
    if (!Array.isArray(manifest.layers)) throw new InvalidArgumentError(`invalid manifest ${descriptor.digest}: no layers`);
    const layers = manifest.layers.map((layer: unknown) => asDescriptor(layer, `manifest ${descriptor.digest}`));
    images.push({
      configPath: blobPath(config.digest),
      configDigest: config.digest,
      layerPaths: layers.map((layer) => blobPath(layer.digest)),
      repoTags: tagsFromAnnotations(top.annotations),
    });
  }
  return images;
}
