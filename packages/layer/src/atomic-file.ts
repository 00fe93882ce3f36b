import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Makes a rename or create in `dir` durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content, never a mix:
 * write a sibling temp file, fsync it, rename over the target, fsync the directory (the rename itself).
 */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await replaceFile(path, data, mode, { durable: true });
}

/**
 * Replaces `path` with `data` through a sibling temp file and a rename, so that a reader (or a crash of
 * this process) sees the old or the new content, never a mix. Without `durable`, nothing is fsynced: for
 * files made again from durable state before each use (a task's bundle and /etc files), whose loss in a
 * crash of the host costs nothing, and whose fsyncs cost milliseconds on every container start.
 */
export async function replaceFile(path: string, data: string | Buffer, mode = 0o600, options: { durable?: boolean } = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  if (options.durable) await fsyncDirectory(dir);
}

/** True for the temp files `writeFileAtomic` leaves behind when the process dies mid-write. */
export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** Creates `dir` if needed and removes the temp files an earlier, interrupted `writeFileAtomic` left in it. */
export async function prepareAtomicDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (isTempFileName(name)) await rm(join(dir, name), { force: true });
  }
}
