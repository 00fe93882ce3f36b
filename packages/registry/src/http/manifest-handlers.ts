import type { FastifyRequest } from 'fastify';
import { RegistryError } from '../registry-error.js';
import { refuseUnlessDeleteEnabled } from './delete-guard.js';
import { RegistryHttpError } from './error-body.js';
import { DEFAULT_MAX_MANIFEST_BYTES, type Handler } from './handler.js';
import { checkReference } from './route-path.js';

type ManifestPath = { name: string; reference: string };

// Indexes a client must say it accepts: one that does not (a schema2-only client) is answered
// MANIFEST_UNKNOWN, as the Go registry does, rather than given a document it cannot read.
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** GET and HEAD by tag or digest, served as stored: its media type, digest and length. */
export const getManifest: Handler<ManifestPath> = async ({ backend, request, reply }, { name, reference }) => {
  checkReference(reference);
  const manifest = await backend.getManifest(name, reference);
  const accepted = acceptedTypes(request.headers.accept);
  if (accepted && INDEX_TYPES.has(manifest.mediaType) && !accepted.has(manifest.mediaType) && !accepted.has('*/*')) {
    throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { reason: `${manifest.mediaType} found, but the Accept header does not include it` });
  }
  void reply.header('Content-Type', manifest.mediaType).header('Docker-Content-Digest', manifest.digest).header('Content-Length', manifest.content.length);
  void reply.header('ETag', `"${manifest.digest}"`);
  return reply.send(request.method === 'HEAD' ? undefined : manifest.content);
};

/** PUT: stores the body under the tag or digest (201, with `OCI-Subject` when it names a subject). */
export const putManifest: Handler<ManifestPath> = async ({ backend, options, request, reply }, { name, reference }) => {
  checkReference(reference);
  const content = await readManifestBody(request, options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES);
  const stored = await backend.putManifest(name, reference, content, mediaTypeOf(request.headers['content-type'], content));
  void reply.status(201).header('Location', `/v2/${name}/manifests/${stored.digest}`).header('Docker-Content-Digest', stored.digest);
  if (stored.subject) void reply.header('OCI-Subject', stored.subject);
  return reply.send();
};

export const deleteManifest: Handler<ManifestPath> = async ({ backend, options, reply }, { name, reference }) => {
  refuseUnlessDeleteEnabled(options);
  checkReference(reference);
  await backend.deleteManifest(name, reference);
  return reply.status(202).send();
};

function acceptedTypes(header: string | undefined): Set<string> | undefined {
  if (!header?.trim()) return undefined;
  return new Set(header.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase()));
}

/** The Content-Type without parameters; without one, the `mediaType` the manifest names; MANIFEST_INVALID when neither says. */
function mediaTypeOf(contentType: string | undefined, content: Buffer): string {
  const declared = contentType?.split(';')[0]!.trim();
  if (declared) return declared;
  try {
    const { mediaType } = JSON.parse(content.toString('utf8')) as { mediaType?: unknown };
    if (typeof mediaType === 'string' && mediaType !== '') return mediaType;
  } catch {
    // Unparseable content has no media type to find; the refusal below says so.
  }
  throw new RegistryError('MANIFEST_INVALID', 'manifest invalid', { reason: 'no Content-Type and no mediaType in the manifest' });
}

/** The whole body, refused with 413 as soon as it is known to exceed `limit` (the spec's answer to an oversized manifest). */
async function readManifestBody(request: FastifyRequest, limit: number): Promise<Buffer> {
  const tooLarge = () => new RegistryHttpError(413, 'SIZE_INVALID', 'manifest too large', { limit });
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
