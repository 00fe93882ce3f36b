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
/** A deflate stored block holds at most this many bytes, after a header of 5. */
const STORED_MAX = 0xffff;
const STORED_HEADER = 5;
/** What Node's and Go's gzip writers put first: no name, no mtime, OS unix. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
/** An empty final stored block: ends the deflate stream. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/** Fills `buffers` from the tar, in order, each before the next; resolves to the bytes read, fewer only at the tar's end. */
export type ReadInto = (buffers: Buffer[]) => Promise<number>;

/**
 * Gzip of a layer tar at the default level, as one gzip member, pigz-style: the tar is cut into
 * blocks deflated independently (each primed with the 32 KiB before it, and ending byte-aligned), so
 * two cores share one layer. Blocks deflate cannot shrink (compressed files, random data) are stored
 * instead: deflate spends most of its time failing to find matches in them, for nothing (podman's
 * compressor, klauspost/compress, skips them too). The output depends only on the input bytes.
 *
 * Each block is read straight into the places its stored form gives its bytes, between the stored
 * blocks' headers: a block that is stored goes out without a copy, and a push allocates about one
 * buffer per block (every buffer allocated counts towards V8's next full collection).
 */
export async function* gzipLayer(read: ReadInto): AsyncGenerator<Buffer> {
  yield GZIP_HEADER;
  let crc = 0;
  let size = 0;
  let previous: Block | undefined;
  const pending: Promise<Buffer>[] = [];
  for (;;) {
    const block = await readBlock(read);
    if (block.length === 0) break;
    for (const part of block.parts) crc = crc32(part, crc);
    size += block.length;
    const deflated = deflateBlock(block, previous);
    // Awaited in order below; a failure of one still queued is not left unhandled meanwhile.
    deflated.catch(() => undefined);
    pending.push(deflated);
    previous = block;
    if (pending.length >= IN_FLIGHT) yield await pending.shift()!;
    if (block.length < BLOCK_BYTES) break;
  }
  while (pending.length > 0) yield await pending.shift()!;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  yield Buffer.concat([FINAL_BLOCK, trailer]);
}

/** Up to BLOCK_BYTES of input, held in the data places of its stored form. */
interface Block {
  /** The stored form: headers and data, the headers not yet written. */
  framed: Buffer;
  /** The input's bytes, in order, each part after its header's place in `framed`. */
  parts: Buffer[];
  length: number;
}

async function readBlock(read: ReadInto): Promise<Block> {
  const places = Math.ceil(BLOCK_BYTES / STORED_MAX);
  const framed = Buffer.allocUnsafeSlow(BLOCK_BYTES + places * STORED_HEADER);
  const slots: Buffer[] = [];
  for (let at = 0, left = BLOCK_BYTES; left > 0; left -= STORED_MAX, at += STORED_HEADER + STORED_MAX) {
    slots.push(framed.subarray(at + STORED_HEADER, at + STORED_HEADER + Math.min(STORED_MAX, left)));
  }
  const length = await read(slots);
  const parts: Buffer[] = [];
  for (let left = length, index = 0; left > 0; left -= STORED_MAX, index++) parts.push(slots[index]!.subarray(0, Math.min(STORED_MAX, left)));
  return { framed, parts, length };
}

/** Non-final deflate blocks of `block`, ending on a byte boundary; `previous` primes deflate's window. */
async function deflateBlock(block: Block, previous: Block | undefined): Promise<Buffer> {
  const release = await poolShare.take();
  try {
    if (!(await worthCompressing(block))) return stored(block);
    const dictionary = previous && copyRange(previous, previous.length - WINDOW_BYTES, WINDOW_BYTES);
    return await deflateRawAsync(copyRange(block, 0, block.length), { level: constants.Z_DEFAULT_COMPRESSION, finishFlush: constants.Z_SYNC_FLUSH, ...(dictionary && { dictionary }) });
  } finally {
    release();
  }
}

/** The block as stored deflate blocks: its headers written into the places left for them. */
function stored(block: Block): Buffer {
  let end = 0;
  for (const part of block.parts) {
    const header = part.byteOffset - block.framed.byteOffset - STORED_HEADER;
    block.framed[header] = 0;
    block.framed.writeUInt16LE(part.length, header + 1);
    block.framed.writeUInt16LE(~part.length & 0xffff, header + 3);
    end = header + STORED_HEADER + part.length;
  }
  return block.framed.subarray(0, end);
}

/** A copy of the input bytes [start, start + length) of `block` (clamped to it), in one buffer. */
function copyRange(block: Block, start: number, length: number): Buffer {
  const from = Math.max(0, start);
  const to = Math.min(block.length, start + length);
  const out = Buffer.allocUnsafe(to - from);
  for (let index = Math.floor(from / STORED_MAX); index * STORED_MAX < to; index++) {
    const partStart = index * STORED_MAX;
    const part = block.parts[index]!;
    part.copy(out, Math.max(0, partStart - from), Math.max(0, from - partStart), Math.min(part.length, to - partStart));
  }
  return out;
}

/** Whether fast deflate (on the thread pool too) shrinks slices spread over the block. */
async function worthCompressing(block: Block): Promise<boolean> {
  let sample: Buffer;
  if (block.length > SAMPLE_SLICES * SLICE_BYTES) {
    const step = Math.floor(block.length / SAMPLE_SLICES);
    sample = Buffer.concat(Array.from({ length: SAMPLE_SLICES }, (_, i) => copyRange(block, i * step, SLICE_BYTES)));
  } else {
    sample = copyRange(block, 0, block.length);
  }
  return (await deflateRawAsync(sample, { level: constants.Z_BEST_SPEED })).length < sample.length * WORTH_COMPRESSING;
}
