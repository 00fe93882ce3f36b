import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `path` so that a crash leaves either the old or the new content: temp file, fsync, rename, fsync dir. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDirectory(dirname(path));
}
