import { open } from 'node:fs/promises';
import { Readable, Transform, pipeline } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgumentError } from '@berth/api';
import { createZstdDecompress } from './system-tools.js';

/** Raised by the size meter; the extractor turns it into an error naming the entry being read. */
export class DecompressedSizeLimitError extends Error {
  constructor(readonly limit: number) {
    super(`archive exceeds the limit of ${limit} decompressed bytes`);
  }
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const UNSUPPORTED_MAGIC: [string, Buffer][] = [
  ['bzip2', Buffer.from('BZh')],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
];
const MAGIC_BYTES = 6;
/**
 * Size of gunzip's output chunks (Node's default is 16 KiB). Every chunk costs a trip through the
 * meter, the diffID digester, the kept tar's writer and the extractor, and a write of its own to each
 * of two files: bigger chunks make a layer's extraction markedly cheaper.
 */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;

/** Whether a file starts like none of the compressions we know, i.e. is (at most) a plain tar. */
export async function isUncompressedFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(MAGIC_BYTES);
    const { bytesRead } = await handle.read(head, 0, MAGIC_BYTES, 0);
    const start = head.subarray(0, bytesRead);
    const magics = [GZIP_MAGIC, ZSTD_MAGIC, ...UNSUPPORTED_MAGIC.map(([, magic]) => magic)];
    return !magics.some((magic) => start.subarray(0, magic.length).equals(magic));
  } finally {
    await handle.close();
  }
}

/** Reads just enough of `source` to recognise the compression (its first bytes), and returns them with a stream replaying everything. */
export async function sniffHead(source: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const iterator: AsyncIterator<Buffer | string> = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < MAGIC_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  stream.once('close', () => source.destroy());
  return { head, stream };
}

/** Counts decompressed bytes, feeds them to `onData` (the diffID digester) and stops at the cap. */
class Meter extends Transform {
  private total = 0;

  constructor(
    private readonly limit: number,
    private readonly onData: ((chunk: Buffer) => void) | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.limit) {
      callback(new DecompressedSizeLimitError(this.limit));
      return;
    }
    this.onData?.(chunk);
    callback(null, chunk);
  }
}

export interface ArchiveStreamOptions {
  maxBytes: number;
  onData?: (chunk: Buffer) => void;
  /** Called once with the first error of the decompression side, before the stream is torn down. */
  onError: (err: Error) => void;
}

/** The uncompressed tar bytes of `source`, which may be a plain, gzip- or zstd-compressed tar. */
export async function openArchiveStream(source: Readable, options: ArchiveStreamOptions): Promise<Readable> {
  const { head, stream } = await sniffHead(source);
  for (const [name, magic] of UNSUPPORTED_MAGIC) {
    if (head.subarray(0, magic.length).equals(magic)) {
      stream.destroy();
      throw new InvalidArgumentError(`unsupported layer compression: ${name}`);
    }
  }
  const meter = new Meter(options.maxBytes, options.onData);
  const done = (err: Error | null): void => {
    if (err) options.onError(err);
  };
  if (head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) return pipeline(stream, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), meter, done);
  if (head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC)) return pipeline(stream, createZstdDecompress(), meter, done);
  return pipeline(stream, meter, done);
}
