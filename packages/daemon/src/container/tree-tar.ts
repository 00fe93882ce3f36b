import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';

type Header = Parameters<Pack['entry']>[0];

function addEntry(pack: Pack, header: Header): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  return { devmajor: (rdev >> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
}

interface Walk {
  pack: Pack;
  /** First archive name of each multiply-linked inode: later links become hardlink entries. */
  inodes: Map<string, string>;
}

async function addPath(walk: Walk, absolute: string, name: string, stats: Stats): Promise<void> {
  const base = { name, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
  if (stats.isDirectory()) {
    if (name !== '') await addEntry(walk.pack, { ...base, name: `${name}/`, type: 'directory' });
    for (const child of (await readdir(absolute)).sort()) {
      const childPath = join(absolute, child);
      // Files can vanish while a running container is archived; tar skips them too.
      const childStats = await lstat(childPath).catch(() => null);
      if (childStats) await addPath(walk, childPath, name === '' ? child : `${name}/${child}`, childStats);
    }
    return;
  }
  const inode = `${stats.dev}:${stats.ino}`;
  const firstLink = stats.nlink > 1 ? walk.inodes.get(inode) : undefined;
  if (firstLink !== undefined) {
    await addEntry(walk.pack, { ...base, type: 'link', linkname: firstLink, size: 0 });
    return;
  }
  if (stats.nlink > 1) walk.inodes.set(inode, name);
  if (stats.isSymbolicLink()) {
    await addEntry(walk.pack, { ...base, type: 'symlink', linkname: await readlink(absolute) });
  } else if (stats.isFile()) {
    // O_NOFOLLOW: a running container may swap the file for a symlink after the lstat.
    const entry = walk.pack.entry({ ...base, type: 'file', size: stats.size });
    const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
    await pipeline(handle.createReadStream(), entry);
  } else if (stats.isFIFO()) {
    await addEntry(walk.pack, { ...base, type: 'fifo' });
  } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    await addEntry(walk.pack, { ...base, type: stats.isCharacterDevice() ? 'character-device' : 'block-device', ...deviceNumbers(stats.rdev) });
  }
}

/**
 * A tar of the file or tree at `absolute`, never following symlinks, with `name` as the top entry's name
 * ('' puts a directory's children at the top, as `docker export` does).
 */
export function treeTar(absolute: string, name: string): Readable {
  const pack = tarPack();
  const walk: Walk = { pack, inodes: new Map() };
  lstat(absolute)
    .then((stats) => addPath(walk, absolute, name, stats))
    .then(
      () => pack.finalize(),
      (err: unknown) => pack.destroy(err as Error),
    );
  return pack as unknown as Readable;
}
