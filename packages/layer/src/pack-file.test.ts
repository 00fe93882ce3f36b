import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packFile } from './pack-file.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-pack-file-'));
});

afterEach(() => rm(work, { recursive: true, force: true }));

/** Packs `content` under a header announcing `size` bytes, then reads the archive back. */
async function roundTrip(content: string, size: number): Promise<Array<{ header: Header; body: Buffer }>> {
  const path = join(work, 'f');
  await writeFile(path, content);
  const pack = tarPack();
  const file = await open(path);
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  try {
    await packFile(pack, { name: 'f', size }, file);
  } finally {
    await file.close();
  }
  pack.finalize();
  await ended;
  const entries: Array<{ header: Header; body: Buffer }> = [];
  const extract = tarExtract();
  extract.on('entry', (header, body, next) => {
    const parts: Buffer[] = [];
    body.on('data', (c: unknown) => parts.push(c as Buffer));
    body.on('end', () => {
      entries.push({ header, body: Buffer.concat(parts) });
      next();
    });
  });
  const finished = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  extract.end(Buffer.concat(chunks));
  await finished;
  return entries;
}

describe('packFile', () => {
  it('cuts a file that grew after it was measured at the announced size', async () => {
    const entries = await roundTrip('abcdefgh-and-more-that-appeared-later', 8);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.body.toString()).toBe('abcdefgh');
  });

  it('pads a file that shrank with zeros up to the announced size', async () => {
    const entries = await roundTrip('abc', 6);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.body).toEqual(Buffer.from([0x61, 0x62, 0x63, 0, 0, 0]));
  });
});

describe('packFile when the archive reader goes away', () => {
  it('fails quietly: a rejection for the caller, nothing unhandled', async () => {
    const path = join(work, 'big');
    await writeFile(path, Buffer.alloc(8 * 1024 * 1024, 1));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const file = await open(path);
    try {
      const pack = tarPack();
      const outcome = packFile(pack, { name: 'big', size: 8 * 1024 * 1024 }, file).then(
        () => 'written',
        (err: Error) => err.message,
      );
      // Nobody reads the pack: the entry fills up, then the reader goes away.
      await new Promise((resolve) => setTimeout(resolve, 50));
      pack.destroy();
      expect(await outcome).toBe('tar entry destroyed');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      await file.close();
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
