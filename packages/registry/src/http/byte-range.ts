import { Transform, type Readable } from 'node:stream';
import { RegistryError } from '../registry-error.js';

/** A satisfiable `Range: bytes=…` of a blob of `size` bytes, 'unsatisfiable' (416), or undefined to send it whole. */
export function parseRangeHeader(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  // One range only; a multi-range or malformed header is ignored, as HTTP allows.
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** A PATCH's `Content-Range: <start>-<end>` (inclusive), undefined when absent; RANGE_INVALID when malformed. */
export function parseContentRange(header: string | undefined): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes[= ])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match || Number(match[2]) < Number(match[1])) throw new RegistryError('RANGE_INVALID', 'invalid content range', { contentRange: header });
  return { start: Number(match[1]), end: Number(match[2]) };
}

/** The body, failing with RANGE_INVALID once it runs past `length` bytes (a chunk that overruns its Content-Range). */
export function limitedTo(body: Readable, length: number): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > length) callback(new RegistryError('RANGE_INVALID', 'chunk is longer than its content range', { length }));
      else callback(null, chunk);
    },
    flush(callback) {
      callback(seen < length ? new RegistryError('RANGE_INVALID', 'chunk is shorter than its content range', { length, received: seen }) : null);
    },
  });
  body.on('error', (err) => limiter.destroy(err));
  // The upload reading it hears the error by reading; if it already stopped, the error must not crash the registry.
  limiter.on('error', () => undefined);
  return body.pipe(limiter);
}
