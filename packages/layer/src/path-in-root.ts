import { constants, fstatSync, closeSync, openSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { openat2, readlinkFd, O_PATH, PATH_NO_FOLLOW, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS } from './syscalls.js';

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** A filesystem mounted inside a root: what a process chrooted there sees at `destination`. */
export interface SubMount {
  /** Absolute path inside the root. */
  destination: string;
  readOnly: boolean;
  /** Opens the mounted directory (or file) as an O_PATH descriptor the caller closes. */
  open(): number;
}

export interface PathInRoot {
  /** O_PATH descriptor of what the path names; the caller closes it. */
  fd: number;
  stats: Stats;
  /** The path inside the root with every symlink followed (but a kept last one). */
  path: string;
  /** The innermost mount the result lies in; absent on the root's own filesystem. */
  mount?: SubMount;
}

export function normaliseRootPath(path: string): string {
  return posix.normalize(`/${path}`).replace(/(.)\/$/, '$1');
}

/** Closes a descriptor this module or its caller opened, ignoring one already closed. */
export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

interface Step {
  name: string;
  fd: number;
  isDirectory: boolean;
  mount?: SubMount;
}

function notADirectory(where: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, '${where}'`), { code: 'ENOTDIR', path: where });
}

/**
 * Opens `path` inside the directory `rootFd` as a process chrooted there would see it, with `mounts`
 * standing in for what lies beneath their destinations. Each component is opened relative to the
 * descriptor of the one before it without following symlinks (openat2 with RESOLVE_BENEATH); a symlink
 * is read from its own descriptor and interpreted inside the root, `..` never climbs above it. Nothing
 * is looked up by a path string from `/`, so a process that swaps a directory for a symlink meanwhile
 * can at worst make the lookup fail, never lead it outside the root.
 * `followLast: false` returns a last symlink itself (Docker's archive routes name links that way);
 * `noSymlinks` fails with ELOOP instead of following any symlink.
 * As in POSIX, a trailing `/` or `/.` asks for a directory, and so does a `..` after a name: either fails
 * with ENOTDIR on anything else. A missing component or one that is not a directory fails with ENOENT or
 * ENOTDIR whose `path` is where that happened inside the root (symlinks before it followed).
 */
export function openInRoot(
  rootFd: number,
  path: string,
  options: { mounts?: readonly SubMount[]; followLast?: boolean; noSymlinks?: boolean } = {},
): PathInRoot {
  const mounts = new Map((options.mounts ?? []).map((m) => [normaliseRootPath(m.destination), m]));
  mounts.delete('/');
  const followLast = options.followLast ?? true;
  const stack: Step[] = [{ name: '', fd: rootFd, isDirectory: true }];
  const pop = (): void => closeFd(stack.pop()!.fd);
  const here = (): string => `/${stack.slice(1).map((s) => s.name).join('/')}`;
  let pending = path.split('/');
  let links = 0;
  // The `/` and `.` met since the last name: if any, what it names must be a directory.
  let trail: string[] = [];
  try {
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') {
        trail.push(part);
        continue;
      }
      trail = [];
      if (part === '..') {
        if (!stack.at(-1)!.isDirectory) throw notADirectory(here());
        if (stack.length > 1) pop();
        continue;
      }
      const inRoot = `${here().replace(/\/$/, '')}/${part}`;
      const mount = mounts.get(inRoot);
      if (mount) {
        const fd = mount.open();
        stack.push({ name: part, fd, isDirectory: fstatSync(fd).isDirectory(), mount });
        continue;
      }
      let fd: number;
      try {
        fd = openat2(stack.at(-1)!.fd, part, PATH_NO_FOLLOW, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
      } catch (err) {
        throw Object.assign(err as NodeJS.ErrnoException, { path: inRoot });
      }
      const stats = fstatSync(fd);
      // As in POSIX, `link/` and `link/.` follow the link: only a truly last component is kept.
      const isLast = pending.length === 0;
      if (!stats.isSymbolicLink() || (isLast && !followLast)) {
        stack.push({ name: part, fd, isDirectory: stats.isDirectory() });
        continue;
      }
      let target: string;
      try {
        if (options.noSymlinks) throw Object.assign(new Error(`ELOOP: symbolic link met resolving '${path}'`), { code: 'ELOOP' });
        target = readlinkFd(fd);
      } finally {
        closeFd(fd);
      }
      if (++links > MAX_SYMLINKS) throw Object.assign(new Error(`ELOOP: too many levels of symbolic links, resolving '${path}'`), { code: 'ELOOP' });
      if (target.startsWith('/')) while (stack.length > 1) pop();
      pending = [...target.split('/'), ...pending];
    }
    const resolved = here();
    if (trail.length > 0 && !stack.at(-1)!.isDirectory) throw notADirectory(`${resolved}/${trail.join('/')}`);
    const mount = [...stack].reverse().find((s) => s.mount)?.mount;
    // The root itself is the caller's: hand out a descriptor of its own. Otherwise the top's passes to the caller.
    const fd = stack.length === 1 ? openat2(rootFd, '.', O_PATH, RESOLVE_BENEATH) : stack.pop()!.fd;
    try {
      return { fd, stats: fstatSync(fd), path: resolved, ...(mount ? { mount } : {}) };
    } catch (err) {
      closeFd(fd);
      throw err;
    }
  } finally {
    while (stack.length > 1) pop();
  }
}

/** A directory the engine owns, by path, as an O_PATH descriptor the caller closes (the top of a walk or lookup). */
export function openDirectoryPath(dir: string): number {
  return openSync(dir, O_PATH | constants.O_DIRECTORY);
}

/** The path of an open descriptor, usable with Node's path-based calls while the descriptor stays open. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/**
 * Reads a file of a root directory (a container's rootfs) as a process chrooted there would: the kernel
 * resolves every component inside the root (RESOLVE_IN_ROOT), and only a regular file is read.
 * Undefined when it is missing or not a regular file.
 */
export async function readFileInRoot(root: string, path: string): Promise<string | undefined> {
  let rootFd: number | undefined;
  let fd: number | undefined;
  try {
    rootFd = openDirectoryPath(root);
    fd = openat2(rootFd, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!fstatSync(fd).isFile()) return undefined;
    return await readFile(fdPath(fd), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  } finally {
    if (fd !== undefined) closeFd(fd);
    if (rootFd !== undefined) closeFd(rootFd);
  }
}

/**
 * The lstat of `path` under `root`, reached without following any symlink on the way (a tree a
 * container or an archive wrote may hold links anywhere). Undefined when it is missing or a symlink
 * stands in the way.
 */
export function lstatInRoot(root: string, path: string): Stats | undefined {
  let rootFd: number | undefined;
  try {
    rootFd = openDirectoryPath(root);
    const found = openInRoot(rootFd, path, { followLast: false, noSymlinks: true });
    closeFd(found.fd);
    return found.stats;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  } finally {
    if (rootFd !== undefined) closeFd(rootFd);
  }
}
