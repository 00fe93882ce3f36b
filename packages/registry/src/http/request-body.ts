import { Transform, type Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { RegistryHttpError } from './error-body.js';

type BodyHeaders = FastifyRequest['headers'];

// Reads, which no endpoint of the API gives a body to. A DELETE's body is ignored, as Go ignores it:
// clients (and the proxy cache's tests) send one.
const BODILESS = new Set(['GET', 'HEAD']);

/** Whether the request carries a body: a length above 0, or a chunked one. */
export function hasBody(headers: BodyHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** A body on GET or HEAD is refused (400) before anything reads it: the API gives it no meaning. */
export function refuseUnexpectedBody(request: FastifyRequest): void {
  if (BODILESS.has(request.method) && hasBody(request.headers)) {
    throw new RegistryHttpError(400, 'UNSUPPORTED', `a ${request.method} request takes no body`, { method: request.method });
  }
}

function blobTooLarge(limit: number): RegistryHttpError {
  return new RegistryHttpError(413, 'SIZE_INVALID', `blob is larger than the registry's limit of ${limit} bytes`, { limit });
}

export function isBlobTooLarge(err: unknown): boolean {
  return err instanceof RegistryHttpError && err.status === 413 && err.code === 'SIZE_INVALID';
}

/**
 * The blob data of a request whose blob already holds `offset` bytes, failing with SIZE_INVALID (413)
 * once the blob would pass `limit`: at once when its `Content-Length` says so, else as the bytes stream in.
 */
export function cappedBlobBody(body: Readable, headers: BodyHeaders, offset: number, limit: number | undefined): Readable {
  if (limit === undefined) return body;
  const declared = Number(headers['content-length'] ?? 0);
  if (offset + declared > limit) throw blobTooLarge(limit);
  let size = offset;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(size > limit ? blobTooLarge(limit) : null, chunk);
    },
  });
  body.on('error', (err) => cap.destroy(err));
  // The upload reading it hears the error by reading; if it already stopped, the error must not crash the registry.
  cap.on('error', () => undefined);
  return body.pipe(cap);
}
