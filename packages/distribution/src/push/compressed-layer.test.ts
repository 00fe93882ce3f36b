import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sha256Digest } from '@berth/reference';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressMessage } from '@berth/api';
import { progressReporter } from '../progress-counter.js';
import { compressedLayer, fileReader } from './compressed-layer.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function fileOf(content: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'compressed-layer-'));
  dirs.push(dir);
  await writeFile(join(dir, 'layer.tar'), content);
  return join(dir, 'layer.tar');
}

describe('compressedLayer', () => {
  it('streams gzip of the file, with the digest and size of what went out, and tells the bytes read', async () => {
    const content = Buffer.concat([randomBytes(1024 * 1024), Buffer.from('text '.repeat(100_000))]);
    const read: number[] = [];
    const layer = compressedLayer(await fileOf(content), (bytes) => read.push(bytes));
    const out: Buffer[] = [];
    for await (const chunk of layer.stream) out.push(Buffer.from(chunk as Buffer));
    const gzip = Buffer.concat(out);
    expect(gunzipSync(gzip).equals(content)).toBe(true);
    expect(layer.blob()).toEqual({ digest: sha256Digest(gzip), size: gzip.length });
    expect(read.at(-1)).toBe(content.length);
  });

  it("reports Pushing progress once per block read, the last at the tar's size once, and none for an empty tar", async () => {
    const progress = async (content: Buffer): Promise<string[]> => {
      const messages: ProgressMessage[] = [];
      const layer = compressedLayer(await fileOf(content), progressReporter(content.length, 'Pushing', 'abc', (message) => messages.push(message)));
      await layer.stream.toArray();
      return messages.map((m) => `${m.progressDetail?.current}/${m.progressDetail?.total}`);
    };
    expect(await progress(Buffer.alloc(2 * 1024 * 1024))).toEqual(['1048576/2097152', '2097152/2097152']);
    expect(await progress(Buffer.alloc(0))).toEqual([]);
  });

  it('fails with the error of a file it cannot open, when read', async () => {
    const layer = compressedLayer('/nonexistent/layer.tar');
    await expect(layer.stream.toArray()).rejects.toThrow(/ENOENT/);
    expect(() => layer.blob()).toThrow('not read to its end');
  });
});

describe('fileReader', () => {
  it('fills every buffer given across short reads, and tells the bytes read so far', async () => {
    const content = randomBytes(10_000);
    let at = 0;
    // A file that gives at most 777 bytes per readv.
    const handle = {
      readv: async <T extends readonly NodeJS.ArrayBufferView[]>(buffers: T) => {
        let bytesRead = 0;
        for (const buffer of buffers) {
          const n = content.copy(buffer as Buffer, 0, at, at + Math.min(buffer.byteLength, 777 - bytesRead));
          at += n;
          bytesRead += n;
          if (bytesRead === 777 || n < buffer.byteLength) break;
        }
        return { bytesRead, buffers };
      },
    };
    const told: number[] = [];
    const read = fileReader(handle, (bytes) => told.push(bytes));
    const buffers = [Buffer.alloc(3000), Buffer.alloc(1), Buffer.alloc(5000)];
    expect(await read(buffers)).toBe(8001);
    expect(Buffer.concat(buffers).equals(content.subarray(0, 8001))).toBe(true);
    const rest = [Buffer.alloc(4000)];
    expect(await read(rest)).toBe(1999);
    expect(rest[0]!.subarray(0, 1999).equals(content.subarray(8001))).toBe(true);
    expect(told).toEqual([8001, 10_000]);
  });
});
