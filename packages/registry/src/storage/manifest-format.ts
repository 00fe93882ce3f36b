import { MediaTypes } from '@berth/oci';
import type { Descriptor } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';

/** What storing a manifest must check and what the referrers API reports of it. */
export interface ParsedManifest {
  mediaType: string;
  /** Blobs the repository must link: an image manifest's config and layers. */
  blobs: string[];
  /** Manifests the repository must hold: an index's or a manifest list's children. */
  children: string[];
  /** Foreign layers: fetched from their `urls`, so not required, but kept by garbage collection when stored. */
  foreign: string[];
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const IMAGE_TYPES = new Set<string>([MediaTypes.OciManifest, MediaTypes.DockerManifest]);
const INDEX_TYPES = new Set<string>([MediaTypes.OciIndex, MediaTypes.DockerManifestList]);
const DIGEST = /^sha256:[a-f0-9]{64}$/;
// Layers a manifest may name without the registry holding them: they are fetched from their `urls`.
const FOREIGN_LAYER = /foreign|nondistributable/;

type Json = Record<string, unknown>;

function invalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest invalid: ${message}`, detail);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(content: Buffer): Json {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    throw invalid('not valid JSON');
  }
  if (!isObject(body)) throw invalid('not a JSON object');
  return body;
}

function descriptor(value: unknown, field: string): Descriptor & { urls?: unknown } {
  if (!isObject(value)) throw invalid(`${field} is not a descriptor`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw invalid(`${field} has no valid mediaType and sha256 digest`, { field });
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${field} has no valid size`, { field });
  return value as unknown as Descriptor & { urls?: unknown };
}

function descriptors(value: unknown, field: string): Array<Descriptor & { urls?: unknown }> {
  if (!Array.isArray(value)) throw invalid(`${field} is not an array`);
  return value.map((item, i) => descriptor(item, `${field}[${i}]`));
}

function isForeign(layer: Descriptor & { urls?: unknown }): boolean {
  return FOREIGN_LAYER.test(layer.mediaType) && Array.isArray(layer.urls) && layer.urls.length > 0;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  return isObject(value) ? (value as Record<string, string>) : undefined;
}

/** The media type a stored manifest declares, or what its shape says when it declares none. */
export function storedMediaType(content: Buffer): string {
  const body = parseJson(content);
  if (typeof body.mediaType === 'string') return body.mediaType;
  return Array.isArray(body.manifests) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
}

/**
 * Parses a manifest as the media type it was sent with (a bare or absent Content-Type falls back to
 * the body's own `mediaType`); MANIFEST_INVALID when it is none of the four kinds or disagrees.
 */
export function parseManifest(content: Buffer, contentType: string): ParsedManifest {
  const body = parseJson(content);
  const declared = contentType.split(';')[0]!.trim();
  const mediaType = declared === '' ? storedMediaType(content) : declared;
  if (!IMAGE_TYPES.has(mediaType) && !INDEX_TYPES.has(mediaType)) throw invalid(`unsupported media type ${mediaType}`);
  if (body.schemaVersion !== 2) throw invalid('schemaVersion is not 2');
  if (body.mediaType !== undefined && body.mediaType !== mediaType) {
    throw invalid(`mediaType ${String(body.mediaType)} does not match the content type ${mediaType}`);
  }
  if (mediaType.startsWith('application/vnd.docker.') && body.mediaType === undefined) throw invalid('Docker manifests need a mediaType');
  const subject = body.subject === undefined ? undefined : descriptor(body.subject, 'subject').digest;
  const artifactType = typeof body.artifactType === 'string' ? body.artifactType : undefined;
  const annotations = stringMap(body.annotations);
  if (INDEX_TYPES.has(mediaType)) {
    return { mediaType, blobs: [], children: descriptors(body.manifests, 'manifests').map((d) => d.digest), foreign: [], subject, artifactType, annotations };
  }
  const config = descriptor(body.config, 'config');
  const layers = descriptors(body.layers, 'layers');
  return {
    mediaType,
    blobs: [config.digest, ...layers.filter((layer) => !isForeign(layer)).map((layer) => layer.digest)],
    children: [],
    foreign: layers.filter(isForeign).map((layer) => layer.digest),
    subject,
    artifactType: artifactType ?? config.mediaType,
    annotations,
  };
}

/**
 * The layers of a Docker schema1 manifest (`fsLayers[].blobSum`), which a Go registry's data directory
 * may still hold: garbage collection keeps them. Undefined when the content is not one.
 */
export function schema1Layers(content: Buffer): string[] | undefined {
  let body: Record<string, unknown>;
  try {
    body = parseJson(content);
  } catch {
    return undefined;
  }
  if (body.schemaVersion !== 1 || !Array.isArray(body.fsLayers)) return undefined;
  const sums = body.fsLayers.map((layer: unknown) => (isObject(layer) ? layer.blobSum : undefined));
  return sums.every((sum): sum is string => typeof sum === 'string' && DIGEST.test(sum)) ? sums : undefined;
}
