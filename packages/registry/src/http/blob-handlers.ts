import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { RegistryError } from '../registry-error.js';
import { FILE_CHUNK_BYTES, FileRangeStream } from '../storage/file-range-stream.js';
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
  const range = parseRangeHeader(request.headers.range, stat.size);
  const headers = { 'Docker-Content-Digest': digest, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  if (range === 'unsatisfiable') return reply.status(416).headers(headers).header('Content-Range', `bytes */${stat.size}`).header('Content-Length', 0).send();
  const { start, length } = range ? { start: range.start, length: range.end - range.start + 1 } : { start: 0, length: stat.size };
  // Opened before any header is set: a blob deleted since the stat gets a clean error answer, not this one's headers.
  const body = request.method === 'HEAD' ? undefined : await backend.readBlob(name, digest, start, length);
  void reply.headers(headers).header('Content-Length', length);
  if (range) void reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`);
  return body === undefined ? reply.send() : sendBody(reply, body);
};

export const deleteBlob: Handler<BlobPath> = async ({ backend, options, reply }, { name, digest }) => {
  refuseUnlessDeleteEnabled(options);
  checkDigest(digest);
  await backend.deleteBlob(name, digest);
  return reply.status(202).send();
};

/**
 * Sends a blob's bytes. A file range goes out through two reused buffers, one read into while the
 * other is written, instead of a fresh buffer per chunk piped by fastify: Node has no sendfile, and
 * piping took about four times the CPU per pulled byte. Any other stream (S3, a test backend) is piped.
 */
function sendBody(reply: FastifyReply, body: Readable): FastifyReply {
  if (!(body instanceof FileRangeStream)) return reply.send(body);
  void reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
  reply.raw.writeHead(reply.statusCode);
  void sendFileRange(reply, body);
  return reply;
}

async function sendFileRange(reply: FastifyReply, body: FileRangeStream): Promise<void> {
  const response = reply.raw;
  // A client that goes away ends the copy; write callbacks alone may not all come back after a reset.
  let closed: () => void = () => undefined;
  const gone = new Promise<never>((_resolve, reject) => {
    closed = () => reject(new Error('the client closed the connection'));
  });
  gone.catch(() => undefined);
  response.once('close', closed);
  const size = Math.min(FILE_CHUNK_BYTES, body.bytesLeft);
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  const sent: (Promise<void> | undefined)[] = [undefined, undefined];
  try {
    for (let i = 0; ; i = 1 - i) {
      // The buffer is free once its last write has gone to the socket.
      await Promise.race([sent[i], gone]);
      const count = await body.readInto(buffers[i]!);
      if (count === 0) break;
      sent[i] = written(response, buffers[i]!.subarray(0, count));
    }
    await Promise.race([Promise.all(sent), gone]);
    response.end();
  } catch (err) {
    // Headers are out: the client learns of the failure from a connection cut short of Content-Length.
    if (!response.destroyed) reply.log.warn({ err }, 'blob transfer failed');
    response.destroy();
  } finally {
    response.off('close', closed);
    body.destroy();
  }
}

/** Writes a chunk; resolves once the socket has taken it, so its buffer may be reused. */
function written(response: FastifyReply['raw'], chunk: Buffer): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    response.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
  done.catch(() => undefined);
  return done;
}
