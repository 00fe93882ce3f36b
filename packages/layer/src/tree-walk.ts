import { constants, fstatSync, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { closeFd, fdPath } from './path-in-root.js';
import { openat2, readlinkFd, PATH_NO_FOLLOW, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS } from './syscalls.js';

/** One object met by `walkTree`. */
export interface WalkEntry {
  /** Path relative to the walk's top; '' for the top itself. */
  path: string;
  stats: Stats;
  /** A directory's own open descriptor (read access), valid during the visit. */
  dirFd?: number;
  /** The target of a symlink; undefined when it was replaced or removed since it was listed. */
  readlink(): Promise<string | undefined>;
  /**
   * Opens a regular file for reading. The entry is first opened as a path only, checked to be the
   * regular file that was walked, and only then reopened to read: a FIFO or device swapped in meanwhile
   * is never opened (no blocked thread, no device side effect). Undefined when it changed or vanished.
   */
  openFile(): Promise<FileHandle | undefined>;
}

/** Return false to leave a directory's content out. */
export type Visit = (entry: WalkEntry) => Promise<boolean | void>;

export interface WalkOptions {
  /**
   * Filesystems mounted below the top, by path relative to it: the walk goes into the mount (opened as
   * an O_PATH descriptor it closes) instead of what lies beneath, and lists mount points a directory lacks.
   */
  mounts?: ReadonlyMap<string, () => number>;
}

/** How a walked object is reached: through its parent's descriptor, or a descriptor of its own (top, mount root). */
type Via = { parentFd: number; name: string } | { fd: number };

const VANISHED = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EINVAL']);

function vanished(err: unknown): boolean {
  return VANISHED.has((err as NodeJS.ErrnoException).code ?? '');
}

function childPath(via: Via): string {
  return 'fd' in via ? fdPath(via.fd) : `${fdPath(via.parentFd)}/${via.name}`;
}

function openPathOnly(via: Via): number {
  return 'fd' in via ? openat2(via.fd, '.', PATH_NO_FOLLOW, RESOLVE_BENEATH) : openat2(via.parentFd, via.name, PATH_NO_FOLLOW, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
}

async function openRegularFile(via: Via, walked: Stats): Promise<FileHandle | undefined> {
  let pathFd: number;
  try {
    pathFd = 'fd' in via ? via.fd : openPathOnly(via);
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
  try {
    const now = fstatSync(pathFd);
    if (!now.isFile() || now.ino !== walked.ino || now.dev !== walked.dev) return undefined;
    // Reopening the path descriptor reaches exactly the inode just checked.
    return await open(fdPath(pathFd), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } finally {
    if (!('fd' in via)) closeFd(pathFd);
  }
}

function openDirectory(via: Via): number {
  const flags = constants.O_RDONLY | constants.O_DIRECTORY;
  return 'fd' in via
    ? openat2(via.fd, '.', flags, RESOLVE_BENEATH)
    : openat2(via.parentFd, via.name, flags | constants.O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
}

interface Walk {
  visit: Visit;
  mounts: ReadonlyMap<string, () => number>;
}

async function walkNode(walk: Walk, path: string, via: Via, stats: Stats): Promise<void> {
  const entry: WalkEntry = {
    path,
    stats,
    readlink: async () => {
      if ('fd' in via) return readlinkFd(via.fd);
      return readlink(childPath(via)).catch((err: unknown) => {
        if (vanished(err)) return undefined;
        throw err;
      });
    },
    openFile: () => openRegularFile(via, stats),
  };
  if (!stats.isDirectory()) {
    await walk.visit(entry);
    return;
  }
  let dirFd: number;
  try {
    dirFd = openDirectory(via);
  } catch (err) {
    // Swapped for a symlink or removed since it was listed: a running container's tree moves.
    if (vanished(err)) return;
    throw err;
  }
  try {
    entry.stats = fstatSync(dirFd);
    entry.dirFd = dirFd;
    if ((await walk.visit(entry)) === false) return;
    for (const name of await childrenOf(walk, dirFd, path)) {
      const child = path === '' ? name : `${path}/${name}`;
      const mount = walk.mounts.get(child);
      if (mount) {
        const fd = mount();
        try {
          await walkNode(walk, child, { fd }, fstatSync(fd));
        } finally {
          closeFd(fd);
        }
        continue;
      }
      const childVia = { parentFd: dirFd, name };
      const childStats = await lstat(childPath(childVia)).catch((err: unknown) => {
        if (vanished(err)) return undefined;
        throw err;
      });
      if (childStats) await walkNode(walk, child, childVia, childStats);
    }
  } finally {
    closeFd(dirFd);
  }
}

/** A directory's entries, sorted, plus mount points below it that it lacks (the runtime makes them at start). */
async function childrenOf(walk: Walk, dirFd: number, path: string): Promise<string[]> {
  const names = new Set(await readdir(fdPath(dirFd)));
  for (const mounted of walk.mounts.keys()) {
    if (posix.dirname(mounted) === (path === '' ? '.' : path)) names.add(posix.basename(mounted));
  }
  return [...names].sort();
}

/**
 * Walks the tree under `topFd` (an O_PATH descriptor the caller keeps open), depth first in name order,
 * through descriptors only: each directory is opened relative to its open parent without following
 * symlinks, so a process that changes the tree meanwhile cannot lead the walk outside it.
 */
export async function walkTree(topFd: number, visit: Visit, options: WalkOptions = {}): Promise<void> {
  await walkNode({ visit, mounts: options.mounts ?? new Map() }, '', { fd: topFd }, fstatSync(topFd));
}
