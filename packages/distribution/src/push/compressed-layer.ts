import { Transform, type Readable } from 'node:stream';
import { createDigester } from '@berth/reference';
import { gzipLayer } from './layer-gzip.js';

/** A layer as a registry stores it: gzip of its tar, by digest and size. */
export interface CompressedBlob {
  digest: string;
  size: number;
}

/**
 * A layer's tar gzipped as it is read, for an upload that streams it: the digest and size of what
 * went out are known once the stream has ended.
 */
export function compressedLayer(tar: Readable): { stream: Readable; blob(): CompressedBlob } {
  const digester = createDigester();
  let size = 0;
  let digest: string | undefined;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      digester.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      digest = digester.digest();
      done();
    },
  });
  const gzip = gzipLayer(tar);
  gzip.on('error', (err) => hashing.destroy(err));
  // Its reader (the upload) hears the error; one that stopped early must not crash the process.
  hashing.on('error', () => undefined);
  hashing.on('close', () => gzip.destroy());
  return {
    stream: gzip.pipe(hashing),
    blob: () => {
      if (digest === undefined) throw new Error('the compressed layer was not read to its end');
      return { digest, size };
    },
  };
}
