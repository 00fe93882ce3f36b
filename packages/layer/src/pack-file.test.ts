import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack as tarPack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { addFileToPack } from './pack-file.js';

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function openFilesUnder(prefix: string): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((t) => t.startsWith(prefix)).length;
}

describe('addFileToPack', () => {
  it('fails quietly and closes the file when the pack is destroyed by a reader that left', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pack-file-'));
    const file = join(dir, 'big');
    await writeFile(file, Buffer.alloc(8 * 1024 * 1024, 1));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const pack = tarPack();
      const outcome = addFileToPack(pack, { name: 'big', size: 8 * 1024 * 1024 }, file).then(
        () => 'written',
        (err: Error) => err.message,
      );
      // Nobody reads the pack: the entry fills up, then the "client" goes away.
      await new Promise((resolve) => setTimeout(resolve, 50));
      pack.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await outcome).toBe('tar entry destroyed');
      expect(await openFilesUnder(dir)).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('writes the whole file when the pack is read', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pack-file-'));
    const file = join(dir, 'small');
    await writeFile(file, 'hello');
    const pack = tarPack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    await addFileToPack(pack, { name: 'small', size: 5 }, file);
    pack.finalize();
    await new Promise<void>((resolve) => pack.on('end', () => resolve()));
    expect(Buffer.concat(chunks).includes('hello')).toBe(true);
  });
});
