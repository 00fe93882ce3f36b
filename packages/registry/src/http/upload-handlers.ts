import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { UploadState } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';
import { limitedTo, parseContentRange } from './byte-range.js';
import type { Handler, HandlerContext } from './handler.js';
import { cappedBlobBody, hasBody, isBlobTooLarge } from './request-body.js';
import { checkDigest, checkName } from './route-path.js';

type UploadsPath = { name: string };
type UploadPath = { name: string; uploadId: string };

/**
 * POST: a cross-repository mount (`mount` and `from`: 201 when `from` has the blob), a monolithic
 * upload (`digest`, the body is the blob: 201), or else a new session (202).
 */
export const startUpload: Handler<UploadsPath> = async ({ backend, options, request, reply, query }, { name }) => {
  if (query.mount !== undefined) {
    checkDigest(query.mount);
    if (query.from !== undefined) {
      checkName(query.from);
      if (await backend.mountBlob(name, query.from, query.mount)) return blobCreated(reply, name, query.mount);
    }
  } else if (query.digest !== undefined) {
    checkDigest(query.digest);
    const body = cappedBlobBody(request.raw, request.headers, 0, options.maxBlobBytes);
    const session = await backend.startUpload(name);
    try {
      await backend.completeUpload(name, session.id, query.digest, body);
    } catch (err) {
      // A monolithic upload that failed leaves no session behind: the client never learnt its id.
      await backend.cancelUpload(name, session.id).catch(() => undefined);
      throw err;
    }
    return blobCreated(reply, name, query.digest);
  }
  return uploadAccepted(reply.status(202), name, await backend.startUpload(name));
};

/** PATCH: appends a chunk; with `Content-Range` it must start where the upload ends and be as long as it says (416 otherwise). */
export const appendUpload: Handler<UploadPath> = async (context, { name, uploadId }) => {
  const { backend, request, reply } = context;
  const append = (chunk: (data: Readable) => Readable, start?: number) =>
    cancelIfOversized(context, name, uploadId, async () => backend.appendUpload(name, uploadId, chunk(await blobData(context, name, uploadId)), start));
  const range = parseContentRange(request.headers['content-range']);
  if (!range) return uploadAccepted(reply.status(202), name, await append((data) => data));
  const length = range.end - range.start + 1;
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) !== length) {
    throw new RegistryError('RANGE_INVALID', 'Content-Length does not match Content-Range', { contentLength: Number(declared), contentRange: `${range.start}-${range.end}` });
  }
  return uploadAccepted(reply.status(202), name, await append((data) => limitedTo(data, length), range.start));
};

/** PUT `?digest=`: ends the upload, with an optional last chunk as the body (201). */
export const completeUpload: Handler<UploadPath> = async (context, { name, uploadId }) => {
  const { backend, request, reply } = context;
  const { digest } = context.query;
  if (digest === undefined) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { reason: 'digest parameter missing' });
  checkDigest(digest);
  const last = async () => (hasBody(request.headers) ? blobData(context, name, uploadId) : undefined);
  await cancelIfOversized(context, name, uploadId, async () => backend.completeUpload(name, uploadId, digest, await last()));
  return blobCreated(reply, name, digest);
};

/** GET: where the upload stands (204 with `Range`). */
export const uploadStatus: Handler<UploadPath> = async ({ backend, reply }, { name, uploadId }) =>
  uploadAccepted(reply.status(204), name, await backend.uploadState(name, uploadId));

export const cancelUpload: Handler<UploadPath> = async ({ backend, reply }, { name, uploadId }) => {
  await backend.cancelUpload(name, uploadId);
  return reply.status(204).send();
};

function uploadAccepted(reply: FastifyReply, name: string, state: UploadState): FastifyReply {
  // The Go registry's `Range` for an empty upload is 0-0 too; clients read it as "nothing yet" from the size they sent.
  const end = state.size > 0 ? state.size - 1 : 0;
  void reply.header('Location', `/v2/${name}/blobs/uploads/${state.id}`).header('Docker-Upload-UUID', state.id).header('Range', `0-${end}`);
  return reply.send();
}

function blobCreated(reply: FastifyReply, name: string, digest: string): FastifyReply {
  return reply.status(201).header('Location', `/v2/${name}/blobs/${digest}`).header('Docker-Content-Digest', digest).send();
}

/** The request's blob data, capped by `maxBlobBytes` counting what the upload already holds. */
async function blobData({ backend, options, request }: HandlerContext, name: string, uploadId: string): Promise<Readable> {
  if (options.maxBlobBytes === undefined) return request.raw;
  const { size } = await backend.uploadState(name, uploadId);
  return cappedBlobBody(request.raw, request.headers, size, options.maxBlobBytes);
}

/** An upload that passed the blob limit can never complete: its session goes, and the error is answered. */
async function cancelIfOversized<T>({ backend }: HandlerContext, name: string, uploadId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isBlobTooLarge(err)) await backend.cancelUpload(name, uploadId).catch(() => undefined);
    throw err;
  }
}
