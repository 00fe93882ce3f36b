import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, type ZlibOptions } from 'node:zlib';
import { Slots } from '../slots.js';

const deflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(deflateRaw);
// libuv's pool has 4 threads and the file system needs them too: all pushes together deflate 2 blocks at a time at most.
const poolShare = new Slots(2);

/** Input is compressed in blocks of this size (fixed, so the same tar always gives the same bytes). */
const BLOCK_BYTES = 1024 * 1024;
/** Blocks of one layer compressed at once, on the thread pool. */
const IN_FLIGHT = 2;
/** Deflate's window: each block is compressed with the input's preceding 32 KiB as its dictionary. */
const WINDOW_BYTES = 32 * 1024;
/** Slices of each block that a quick trial compression looks at. */
const SAMPLE_SLICES = 4;
const SLICE_BYTES = 8 * 1024;
/** A sample that deflate cannot shrink below this fraction is not worth deflate's time. */
const WORTH_COMPRESSING = 0.97;
/** A deflate stored block holds at most this many bytes. */
const STORED_MAX = 0xffff;
/** What Node's and Go's gzip writers put first: no name, no mtime, OS unix. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
/** An empty final stored block: ends the deflate stream. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/**
 * Gzip of a layer tar at the default level, as one gzip member, pigz-style: the tar is cut into
 * blocks deflated independently (each primed with the 32 KiB before it, and ending byte-aligned), so
 * two cores share one layer. Blocks deflate cannot shrink (compressed files, random data) are stored
 * instead: deflate spends most of its time failing to find matches in them, for nothing (podman's
 * compressor, klauspost/compress, skips them too). The output depends only on the input bytes.
 */
export function gzipLayer(tar: Readable): Readable {
  return Readable.from(gzipBlocks(tar), { objectMode: false });
}

async function* gzipBlocks(tar: Readable): AsyncGenerator<Buffer> {
  yield GZIP_HEADER;
  let crc = 0;
  let size = 0;
  let previous: Buffer | undefined;
  const pending: Promise<Buffer>[] = [];
  for await (const block of blocks(tar)) {
    crc = crc32(block, crc);
    size += block.length;
    const deflated = deflateBlock(block, previous?.subarray(-WINDOW_BYTES));
    // Awaited in order below; a failure of one still queued is not left unhandled meanwhile.
    deflated.catch(() => undefined);
    pending.push(deflated);
    previous = block;
    if (pending.length >= IN_FLIGHT) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  yield Buffer.concat([FINAL_BLOCK, trailer]);
}

/** Non-final deflate blocks of `block`, ending on a byte boundary. */
async function deflateBlock(block: Buffer, dictionary: Buffer | undefined): Promise<Buffer> {
  const release = await poolShare.take();
  try {
    if (!(await worthCompressing(block))) return storedBlocks(block);
    return await deflateRawAsync(block, { level: constants.Z_DEFAULT_COMPRESSION, finishFlush: constants.Z_SYNC_FLUSH, ...(dictionary && { dictionary }) });
  } finally {
    release();
  }
}

function storedBlocks(block: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < block.length; offset += STORED_MAX) {
    const data = block.subarray(offset, offset + STORED_MAX);
    const header = Buffer.alloc(5);
    header.writeUInt16LE(data.length, 1);
    header.writeUInt16LE(~data.length & 0xffff, 3);
    parts.push(header, data);
  }
  return Buffer.concat(parts);
}

/** The tar's bytes in BLOCK_BYTES pieces (the last one shorter). */
async function* blocks(source: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    let rest = chunk as Buffer;
    while (length + rest.length >= BLOCK_BYTES) {
      const take = BLOCK_BYTES - length;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      length = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      length += rest.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}

/** Whether fast deflate (on the thread pool too) shrinks slices spread over the block. */
async function worthCompressing(block: Buffer): Promise<boolean> {
  let sample = block;
  if (block.length > SAMPLE_SLICES * SLICE_BYTES) {
    const step = Math.floor(block.length / SAMPLE_SLICES);
    sample = Buffer.concat(Array.from({ length: SAMPLE_SLICES }, (_, i) => block.subarray(i * step, i * step + SLICE_BYTES)));
  }
  return (await deflateRawAsync(sample, { level: constants.Z_BEST_SPEED })).length < sample.length * WORTH_COMPRESSING;
}
