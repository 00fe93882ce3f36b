import { Transform, type TransformCallback } from 'node:stream';
import { createDigester, parseDigest, type DigestAlgorithm } from '@berth/reference';
import { RegistryClientError } from './registry-client-error.js';

/**
 * Passes a blob's bytes through and fails the stream at its end unless they are `size` bytes (when
 * known) hashing to `digest`. The last chunk is held back until the check passes, so a consumer (or
 * an HTTP client downstream) never receives the whole of a blob that does not match.
 */
export function verifiedStream(digest: string, size?: number): Transform {
  const digester = createDigester(parseDigest(digest).algorithm as DigestAlgorithm);
  let received = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      received += chunk.length;
      if (size !== undefined && received > size) {
        done(new RegistryClientError(`blob ${digest}: more than the ${size} bytes announced`));
        return;
      }
      digester.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done: TransformCallback) {
      if (size !== undefined && received !== size) {
        done(new RegistryClientError(`blob ${digest}: ${received} bytes received, ${size} announced`));
        return;
      }
      const actual = digester.digest();
      if (actual !== digest) {
        done(new RegistryClientError(`blob ${digest}: the content hashes to ${actual}`));
        return;
      }
      done(null, held);
    },
  });
}
