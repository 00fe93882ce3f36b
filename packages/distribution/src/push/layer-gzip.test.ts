import { createHash, randomBytes } from 'node:crypto';
import { crc32, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipLayer, type ReadInto } from './layer-gzip.js';

/** A reader of `input`. */
function readerOf(input: Buffer): ReadInto {
  let at = 0;
  return async (buffers) => {
    let got = 0;
    for (const buffer of buffers) {
      const n = input.copy(buffer, 0, at);
      at += n;
      got += n;
    }
    return got;
  };
}

const gzipped = async (input: Buffer): Promise<Buffer> => {
  const out: Buffer[] = [];
  for await (const chunk of gzipLayer(readerOf(input))) out.push(Buffer.from(chunk));
  return Buffer.concat(out);
};

/** Text that deflates well, then random bytes that do not, then text again: 3.5 blocks. */
const mixed = (): Buffer =>
  Buffer.concat([Buffer.from('layer text compresses. '.repeat(60_000)), randomBytes(1536 * 1024), Buffer.from('and so does this. '.repeat(40_000))]);

/** 3.2 MiB of text and xorshift32 bytes (seed 1) in turns of 300 000: the same every run, some blocks deflated, some stored. */
function fixedInput(): Buffer {
  const out = Buffer.alloc(Math.floor(3.2 * 1024 * 1024));
  let x = 1;
  for (let at = 0, piece = 0; at < out.length; piece++) {
    const end = Math.min(out.length, at + 300_000);
    if (piece % 2 === 0) {
      const text = Buffer.from(`piece ${piece}: a layer of text compresses well. `);
      for (; at < end; at++) out[at] = text[at % text.length]!;
    } else {
      for (; at < end; at++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        out[at] = x & 0xff;
      }
    }
  }
  return out;
}

describe('gzipLayer', () => {
  it('is gzip of the whole input, whatever mixes of compressible and random blocks it holds', async () => {
    const input = mixed();
    expect(gunzipSync(await gzipped(input)).equals(input)).toBe(true);
    expect(gunzipSync(await gzipped(Buffer.alloc(0))).length).toBe(0);
    const blocks = randomBytes(2 * 1024 * 1024);
    expect(gunzipSync(await gzipped(blocks)).equals(blocks)).toBe(true);
  });

  it('gives the bytes the writer gave before it read into the stored framing (pushed layers keep their digests)', async () => {
    // The digest of the previous writer's output (commit 207886c^) for this input.
    const out = await gzipped(fixedInput());
    expect(out.length).toBe(1_565_653);
    expect(createHash('sha256').update(out).digest('hex')).toBe('4124b012bb584ca11d4ad60329a703930cfaa42849b0c42a2fcd8006ef71e531');
  });

  it('gives the bytes of a plain 1 MiB-block gzip writer (digests of layers pushed before stay the same)', async () => {
    // The stored framing written out by hand: header, then stored blocks of at most 65535 bytes per 1 MiB block.
    const input = randomBytes(1024 * 1024 + 70_000);
    const expected: Buffer[] = [Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03])];
    for (let block = 0; block < input.length; block += 1024 * 1024) {
      const data = input.subarray(block, Math.min(input.length, block + 1024 * 1024));
      for (let at = 0; at < data.length; at += 0xffff) {
        const part = data.subarray(at, at + 0xffff);
        const header = Buffer.alloc(5);
        header.writeUInt16LE(part.length, 1);
        header.writeUInt16LE(~part.length & 0xffff, 3);
        expected.push(header, part);
      }
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(input), 0);
    trailer.writeUInt32LE(input.length, 4);
    expected.push(Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]), trailer);
    expect((await gzipped(input)).equals(Buffer.concat(expected))).toBe(true);
  });

  it('stores random blocks (barely larger than the input) and deflates text as well as plain gzip does', async () => {
    const random = randomBytes(3 * 1024 * 1024);
    expect((await gzipped(random)).length).toBeLessThan(random.length + 1024);
    const text = Buffer.from('a layer of text, compressible. '.repeat(200_000));
    expect((await gzipped(text)).length).toBeLessThan(gzipSync(text).length * 1.05);
  });

  it('fails with the error of the tar it reads', async () => {
    const first = readerOf(randomBytes(1024 * 1024));
    let reads = 0;
    const broken: ReadInto = (buffers) => (reads++ === 0 ? first(buffers) : Promise.reject(new Error('disk gone')));
    const reading = (async () => {
      for await (const _ of gzipLayer(broken)) void _;
    })();
    await expect(reading).rejects.toThrow('disk gone');
  });
});
