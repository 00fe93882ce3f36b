import type { Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { OwnerMap } from './extract.js';
import type { LinkableFiles } from './linkable-files.js';
import { packFile, type PackHeader } from './pack-file.js';
import { closeFd, openDirectoryPath } from './path-in-root.js';
import { fgetxattr } from './syscalls.js';
import { walkTree, type WalkEntry } from './tree-walk.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface TreeTarOptions {
  /**
   * The top's archive name; '' puts a directory's children at the top (`docker export`, layer diffs), and
   * `/` names the top `/` and its children `/x` (Docker's archive of a container's root).
   */
  name: string;
  /** Filesystems mounted below the top, by path relative to it (see walkTree). */
  mounts?: ReadonlyMap<string, () => number>;
  /** The tree is an overlay upper dir: whiteouts become `.wh.` entries, opaque dirs get a `.wh..wh..opq` marker. */
  overlayUpper?: boolean;
  /** The owner an entry is archived with, from its owner on disk (a remapped container's view); default: as on disk. */
  owner?: OwnerMap;
  /** Regular files are offered here, for the extraction of this archive to link instead of writing. */
  linkable?: LinkableFiles;
}

function major(rdev: number): number {
  return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
}

function minor(rdev: number): number {
  return (rdev & 0xff) | Number((BigInt(rdev) >> 12n) & ~0xffn);
}

const isWhiteout = (stats: Stats): boolean => stats.isCharacterDevice() && stats.rdev === 0;

function addEntry(pack: Pack, header: PackHeader): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

interface TarWalk {
  pack: Pack;
  options: TreeTarOptions;
  /** First archive name of each multiply-linked inode: later links become hardlink entries. */
  inodes: Map<string, string>;
}

/** `child` under the archive name `parent`. */
function under(parent: string, child: string): string {
  return parent === '' || parent.endsWith('/') ? `${parent}${child}` : `${parent}/${child}`;
}

function archiveName(walk: TarWalk, path: string): string {
  return path === '' ? walk.options.name : under(walk.options.name, path);
}

async function addWalked(walk: TarWalk, entry: WalkEntry): Promise<void> {
  if (walk.pack.destroyed) throw new Error('archive reader went away');
  const { stats } = entry;
  const name = archiveName(walk, entry.path);
  const { uid, gid } = walk.options.owner ? walk.options.owner({ uid: stats.uid, gid: stats.gid }) : stats;
  const base = { name, mode: stats.mode & 0o7777, uid, gid, mtime: stats.mtime };
  if (stats.isDirectory()) {
    if (name === '') return;
    await addEntry(walk.pack, { ...base, name: under(name, ''), type: 'directory' });
    if (walk.options.overlayUpper && entry.dirFd !== undefined && fgetxattr(entry.dirFd, OPAQUE_XATTR)?.toString() === 'y') {
      await addEntry(walk.pack, { ...base, name: under(name, '.wh..wh..opq'), type: 'file', size: 0, mode: 0o644 });
    }
    return;
  }
  if (walk.options.overlayUpper && isWhiteout(stats)) {
    const slash = name.lastIndexOf('/');
    await addEntry(walk.pack, { ...base, name: `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}`, type: 'file', size: 0 });
    return;
  }
  const inode = `${stats.dev}:${stats.ino}`;
  const firstLink = stats.nlink > 1 ? walk.inodes.get(inode) : undefined;
  if (firstLink !== undefined) {
    await addEntry(walk.pack, { ...base, type: 'link', linkname: firstLink, size: 0 });
    return;
  }
  if (stats.isSymbolicLink()) {
    const linkname = await entry.readlink();
    // Replaced or removed since it was listed: left out, like a vanished file.
    if (linkname === undefined) return;
    await addEntry(walk.pack, { ...base, type: 'symlink', linkname });
  } else if (stats.isFile()) {
    const file = await entry.openFile();
    // Replaced or removed since it was listed: tar leaves such a file out too.
    if (!file) return;
    let release: (() => Promise<void>) | undefined;
    try {
      release = walk.options.linkable?.offer(name, file, stats);
      await packFile(walk.pack, { ...base, type: 'file', size: stats.size }, file);
    } finally {
      await (release !== undefined ? release() : file.close());
    }
  } else if (stats.isFIFO()) {
    await addEntry(walk.pack, { ...base, type: 'fifo' });
  } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const type = stats.isCharacterDevice() ? 'character-device' : 'block-device';
    await addEntry(walk.pack, { ...base, type, devmajor: major(stats.rdev), devminor: minor(stats.rdev) });
  } else {
    // Sockets are not part of a filesystem image; tar skips them too.
    return;
  }
  if (stats.nlink > 1) walk.inodes.set(inode, name);
}

/**
 * A tar of the file or tree `topFd` names (an O_PATH descriptor this function takes over and closes),
 * never following symlinks and reading through descriptors only (see walkTree): safe on a tree a
 * running container changes meanwhile. Each file entry carries exactly the size its header announces.
 */
export function treeTar(topFd: number, options: TreeTarOptions): Readable {
  const pack = tarPack();
  const walk: TarWalk = { pack, options, inodes: new Map() };
  walkTree(topFd, (entry) => addWalked(walk, entry), { mounts: options.mounts })
    .finally(() => closeFd(topFd))
    .then(
      () => pack.finalize(),
      (err: unknown) => pack.destroy(err as Error),
    );
  // A node stream: consumers wrap or pipe it with node's stream machinery, which misreads streamx.
  return Readable.from(pack as AsyncIterable<Buffer>);
}

/** `treeTar` of a directory the engine owns, by path. */
export function directoryTar(dir: string, options: TreeTarOptions): Readable {
  return treeTar(openDirectoryPath(dir), options);
}
