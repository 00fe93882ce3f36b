import { RegistryError } from '../registry-error.js';
import { parseRangeHeader } from './byte-range.js';
import type { Handler } from './handler.js';
import { refuseUnlessDeleteEnabled } from './delete-guard.js';
import { checkDigest } from './route-path.js';

type BlobPath = { name: string; digest: string };

/** GET and HEAD of a blob, whole or one `Range` of it (206); 416 with an unsatisfied `Content-Range` past its end. */
export const getBlob: Handler<BlobPath> = async ({ backend, request, reply }, { name, digest }) => {
  checkDigest(digest);
  const stat = await backend.statBlob(name, digest);
  if (!stat) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
  void reply.header('Docker-Content-Digest', digest).header('Content-Type', 'application/octet-stream').header('Accept-Ranges', 'bytes');
  const range = parseRangeHeader(request.headers.range, stat.size);
  if (range === 'unsatisfiable') return reply.status(416).header('Content-Range', `bytes */${stat.size}`).header('Content-Length', 0).send();
  const { start, length } = range ? { start: range.start, length: range.end - range.start + 1 } : { start: 0, length: stat.size };
  if (range) void reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`);
  void reply.header('Content-Length', length);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(await backend.readBlob(name, digest, start, length));
};

export const deleteBlob: Handler<BlobPath> = async ({ backend, options, reply }, { name, digest }) => {
  refuseUnlessDeleteEnabled(options);
  checkDigest(digest);
  await backend.deleteBlob(name, digest);
  return reply.status(202).send();
};
