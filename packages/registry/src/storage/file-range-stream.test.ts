import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_CHUNK_BYTES, FileRangeStream } from './file-range-stream.js';

describe('FileRangeStream', () => {
  let dir: string;
  let file: string;
  const content = randomBytes(2 * FILE_CHUNK_BYTES + 123);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-file-range-'));
    file = join(dir, 'data');
    await writeFile(file, content);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('streams exactly its range, across several chunks', async () => {
    const stream = new FileRangeStream(await open(file, 'r'), 5, content.length - 10);
    expect((await buffer(stream)).equals(content.subarray(5, content.length - 5))).toBe(true);
    expect(await buffer(new FileRangeStream(await open(file, 'r'), 7, 0))).toHaveLength(0);
  });

  it('fills reused buffers with the range, then answers 0', async () => {
    const stream = new FileRangeStream(await open(file, 'r'), 100, FILE_CHUNK_BYTES + 50);
    const reused = Buffer.alloc(FILE_CHUNK_BYTES);
    const parts: Buffer[] = [];
    for (let count; (count = await stream.readInto(reused)) > 0; ) parts.push(Buffer.from(reused.subarray(0, count)));
    expect(parts.map((part) => part.length)).toEqual([FILE_CHUNK_BYTES, 50]);
    expect(Buffer.concat(parts).equals(content.subarray(100, 100 + FILE_CHUNK_BYTES + 50))).toBe(true);
    stream.destroy();
  });

  it('fails, rather than ending short, when the file is shorter than its range', async () => {
    const stream = new FileRangeStream(await open(file, 'r'), 0, content.length);
    await truncate(file, FILE_CHUNK_BYTES);
    await expect(buffer(stream)).rejects.toThrow(/file ends .* before the range does/);
  });
});
