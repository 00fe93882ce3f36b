import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDigester } from '@berth/reference';
import { gzipLayer } from './layer-gzip.js';

/** A layer as a registry stores it: gzip of its tar, by digest and size. */
export interface CompressedBlob {
  digest: string;
  size: number;
}

/** Gzips layers for a push into files of a temp directory. */
export class CompressedLayers {
  constructor(private readonly directory: string) {}

  /** Compresses the tar into a file; the caller removes it with `discard`. `signal` stops it. */
  async compress(tar: Readable, signal?: AbortSignal): Promise<CompressedBlob & { file: string }> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const file = join(this.directory, `${randomBytes(16).toString('hex')}.tar.gz`);
    const digester = createDigester();
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        digester.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(gzipLayer(tar), hashing, createWriteStream(file, { mode: 0o600 }), ...(signal ? [{ signal }] : []));
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return { digest: digester.digest(), size, file };
  }

  async discard(file: string): Promise<void> {
    await rm(file, { force: true });
  }
}
