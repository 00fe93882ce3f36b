import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
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

const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY;

/** A directory's entries plus mount points below it that its root filesystem lacks (runc makes them at start). */
async function childrenOf(walk: Walk, absolute: string, name: string): Promise<string[]> {
  const children = new Set(await readdir(absolute));
  for (const mounted of walk.mounts.keys()) {
    if (posix.dirname(mounted) === (name === '' ? '.' : name)) children.add(posix.basename(mounted));
  }
  return [...children].sort();
}

interface Walk {
  pack: Pack;
  /** First archive name of each multiply-linked inode: later links become hardlink entries. */
  inodes: Map<string, string>;
  /** Host files and directories mounted at archive names: the walk archives them instead. */
  mounts: ReadonlyMap<string, string>;
}

/**
 * `trusted` paths (the top, mount sources) are the engine's own; every other path names an entry through
 * its open parent directory (`/proc/self/fd/<n>/<name>`), and directories are opened with O_NOFOLLOW, so a
 * running container that swaps a directory for a symlink makes the walk fail instead of reading the host.
 */
async function addPath(walk: Walk, absolute: string, name: string, stats: Stats, trusted: boolean): Promise<void> {
  const base = { name, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
  if (stats.isDirectory()) {
    if (name !== '') await addEntry(walk.pack, { ...base, name: `${name}/`, type: 'directory' });
    const dir = await open(absolute, trusted ? DIRECTORY : DIRECTORY | constants.O_NOFOLLOW).catch((err: unknown) => {
      // Files can vanish while a running container is archived; tar skips them too.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    });
    if (!dir) return;
    try {
      const here = `/proc/self/fd/${dir.fd}`;
      for (const child of await childrenOf(walk, here, name)) {
        const childName = name === '' ? child : `${name}/${child}`;
        const mounted = walk.mounts.get(childName);
        const childPath = mounted ?? `${here}/${child}`;
        const childStats = await lstat(childPath).catch(() => null);
        if (childStats) await addPath(walk, childPath, childName, childStats, mounted !== undefined);
      }
    } finally {
      await dir.close();
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
    const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
    const entry = walk.pack.entry({ ...base, type: 'file', size: stats.size });
    // The pack reports the failure; an entry torn down with it must not raise a second, unhandled 'error'.
    entry.on('error', () => undefined);
    await pipeline(handle.createReadStream(), entry);
  } else if (stats.isFIFO()) {
    await addEntry(walk.pack, { ...base, type: 'fifo' });
  } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    await addEntry(walk.pack, { ...base, type: stats.isCharacterDevice() ? 'character-device' : 'block-device', ...deviceNumbers(stats.rdev) });
  }
}

/**
 * A tar of the file or tree at `absolute`, never following symlinks, with `name` as the top entry's name
 * ('' puts a directory's children at the top, as `docker export` does). `mounts` maps archive names
 * (relative to the top) to host directories mounted there. `topInContainer`: `absolute` names an entry a running
 * container may swap (through its pinned parent), so it is not followed either.
 */
export function treeTar(absolute: string, name: string, mounts: ReadonlyMap<string, string> = new Map(), topInContainer = false): Readable {
  const pack = tarPack();
  const walk: Walk = { pack, inodes: new Map(), mounts: new Map([...mounts].map(([rel, source]) => [posix.join(name, rel), source])) };
  lstat(absolute)
    .then((stats) => addPath(walk, absolute, name, stats, !topInContainer))
    .then(
      () => pack.finalize(),
      (err: unknown) => pack.destroy(err as Error),
    );
  return pack as unknown as Readable;
}
