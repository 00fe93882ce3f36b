import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipLayer } from './layer-gzip.js';

const gzipped = async (chunks: Buffer[]): Promise<Buffer> => {
  const out: Buffer[] = [];
  for await (const chunk of gzipLayer(Readable.from(chunks))) out.push(chunk as Buffer);
  return Buffer.concat(out);
};

/** Text that deflates well, then random bytes that do not, then text again: 3.5 blocks. */
const mixed = (): Buffer =>
  Buffer.concat([Buffer.from('layer text compresses. '.repeat(60_000)), randomBytes(1536 * 1024), Buffer.from('and so does this. '.repeat(40_000))]);

describe('gzipLayer', () => {
  it('is gzip of the whole input, whatever mixes of compressible and random blocks it holds', async () => {
    const input = mixed();
    expect(gunzipSync(await gzipped([input])).equals(input)).toBe(true);
    expect(gunzipSync(await gzipped([])).length).toBe(0);
  });

  it('gives the same bytes however the input is chunked', async () => {
    const input = mixed();
    const whole = await gzipped([input]);
    const pieces = await gzipped([input.subarray(0, 1), input.subarray(1, 777_777), input.subarray(777_777, 2_100_000), input.subarray(2_100_000)]);
    expect(pieces.equals(whole)).toBe(true);
  });

  it('stores random blocks (barely larger than the input) and deflates text as well as plain gzip does', async () => {
    const random = randomBytes(3 * 1024 * 1024);
    expect((await gzipped([random])).length).toBeLessThan(random.length + 1024);
    const text = Buffer.from('a layer of text, compressible. '.repeat(200_000));
    expect((await gzipped([text])).length).toBeLessThan(gzipSync(text).length * 1.05);
  });

  it('fails with the error of the tar it reads', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield randomBytes(1536 * 1024);
      throw new Error('disk gone');
    }
    const reading = (async () => {
      for await (const _ of gzipLayer(Readable.from(broken()))) void _;
    })();
    await expect(reading).rejects.toThrow('disk gone');
  });
});
