import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness, constants as osConstants } from 'node:os';
import type { LibraryHandle } from 'koffi';

/**
 * The layer store's native route: Linux system calls Node's core lacks for safe path resolution, through
 * koffi (a maintained FFI with prebuilt binaries; no compiler at install). The path calls are synchronous and
 * return at once on a local filesystem: callers pass O_PATH or O_NOFOLLOW so nothing here can block on a FIFO
 * or a device. The overlay's mount is synchronous work of the kernel's (see tryMountOverlay); its unmount runs
 * on libuv's pool (tryUnmount).
 */

const SYS_OPENAT2 = 437;
const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
/** Linux open flags Node's fs.constants does not name. */
export const O_PATH = 0o10000000;
export const O_CLOEXEC = 0o2000000;

/** openat2(2) resolve flags. */
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

interface Libc {
  syscall: (...args: unknown[]) => number;
  readlinkat: (dirfd: number, path: string, buf: Buffer, size: number) => number;
  fgetxattr: (fd: number, name: string, value: Buffer, size: number) => number;
  flistxattr: (fd: number, list: Buffer | null, size: number) => number;
  ioctl: (fd: number, request: number, ...args: unknown[]) => number;
  linkat: (olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number) => number;
  umount2: (target: string, flags: number) => number;
  close: (fd: number) => number;
  errno: () => number;
  openHow: unknown;
  mountAttr: unknown;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  // koffi is CommonJS with a native addon: required lazily, so tools that never resolve paths never load it.
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib: LibraryHandle = koffi.load('libc.so.6');
  const openHow = koffi.struct('berth_open_how', { flags: 'uint64', mode: 'uint64', resolve: 'uint64' });
  const mountAttr = koffi.struct('berth_mount_attr', { attr_set: 'uint64', attr_clr: 'uint64', propagation: 'uint64', userns_fd: 'uint64' });
  libc = {
    syscall: lib.func('long syscall(long number, ...)') as Libc['syscall'],
    readlinkat: lib.func('long readlinkat(int dirfd, const char *path, _Out_ uint8_t *buf, size_t size)') as Libc['readlinkat'],
    fgetxattr: lib.func('long fgetxattr(int fd, const char *name, _Out_ uint8_t *value, size_t size)') as Libc['fgetxattr'],
    flistxattr: lib.func('long flistxattr(int fd, _Out_ uint8_t *list, size_t size)') as Libc['flistxattr'],
    ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)') as Libc['ioctl'],
    linkat: lib.func('int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)') as Libc['linkat'],
    umount2: lib.func('int umount2(const char *target, int flags)') as Libc['umount2'],
    close: lib.func('int close(int fd)') as Libc['close'],
    errno: () => koffi.errno(),
    openHow: koffi.pointer(openHow),
    mountAttr: koffi.pointer(mountAttr),
  };
  return libc;
}

/** What a filesystem answers for a call it does not support. */
const UNSUPPORTED = new Set(['ENOTSUP', 'EOPNOTSUPP']);

const ERRNO_NAMES = new Map(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

function errnoError(call: string, path: string): NodeJS.ErrnoException {
  const errno = load().errno();
  const code = ERRNO_NAMES.get(errno) ?? `E${errno}`;
  return Object.assign(new Error(`${code}: ${call} '${path}'`), { errno: -errno, code, syscall: call, path });
}

/**
 * openat2(2): opens `path` relative to the directory `dirfd` under the `resolve` rules (RESOLVE_IN_ROOT
 * makes `dirfd` the root for `..` and absolute symlinks, as a chroot would, enforced by the kernel
 * for every component). O_CLOEXEC is always added. Returns a file descriptor the caller closes.
 */
export function openat2(dirfd: number, path: string, flags: number, resolve: number): number {
  const c = load();
  const fd = c.syscall(SYS_OPENAT2, 'int', dirfd, 'str', path, c.openHow, { flags: flags | O_CLOEXEC, mode: 0, resolve }, 'size_t', 24);
  if (fd < 0) throw errnoError('openat2', path);
  return fd;
}

/** The target of the symlink that `fd` (opened with O_PATH|O_NOFOLLOW) is, read from the open link itself. */
export function readlinkFd(fd: number): string {
  const c = load();
  let size = 256;
  for (;;) {
    const buf = Buffer.alloc(size);
    const n = c.readlinkat(fd, '', buf, size);
    if (n < 0) throw errnoError('readlinkat', `fd ${fd}`);
    if (n < size) return buf.subarray(0, n).toString('utf8');
    size *= 4;
  }
}

/** The value of the extended attribute `name` of the open file `fd` (not an O_PATH descriptor); undefined when unset. */
export function fgetxattr(fd: number, name: string): Buffer | undefined {
  const c = load();
  const buf = Buffer.alloc(4096);
  const n = c.fgetxattr(fd, name, buf, buf.length);
  if (n >= 0) return buf.subarray(0, n);
  const err = errnoError('fgetxattr', `fd ${fd}`);
  if (err.code === 'ENODATA' || UNSUPPORTED.has(err.code ?? '')) return undefined;
  throw err;
}

/** Whether the open file `fd` carries any extended attribute (of any namespace its caller may list). */
export function hasAnyXattr(fd: number): boolean {
  const n = load().flistxattr(fd, null, 0);
  if (n >= 0) return n > 0;
  const err = errnoError('flistxattr', `fd ${fd}`);
  if (UNSUPPORTED.has(err.code ?? '')) return false;
  throw err;
}

const FS_IOC_GETFLAGS = 0x80086601;
/** Inode flags a filesystem sets by itself (ext4's extents, huge files, inline data), not a user with chattr. */
const FILESYSTEM_OWN_FLAGS = 0x00080000 | 0x00040000 | 0x10000000;

/** Whether the open file `fd` carries an inode flag a user can set (chattr's +A, +S, +d, +C, +i, +a, …). */
export function hasUserInodeFlags(fd: number): boolean {
  // The request is encoded with a long's size, though filesystems write an int: room for either.
  const flags = Buffer.alloc(8);
  if (load().ioctl(fd, FS_IOC_GETFLAGS, 'void *', flags) < 0) {
    const err = errnoError('ioctl', `fd ${fd}`);
    if (err.code === 'ENOTTY' || err.code === 'EINVAL' || UNSUPPORTED.has(err.code ?? '')) return false;
    throw err;
  }
  const value = endianness() === 'LE' ? flags.readInt32LE(0) : flags.readInt32BE(0);
  return (value & ~FILESYSTEM_OWN_FLAGS) !== 0;
}

/**
 * linkat(2) with AT_EMPTY_PATH: a new name `target` for exactly the inode the open descriptor `fd` is,
 * whatever has become of the path it was opened by. Needs CAP_DAC_READ_SEARCH (root has it).
 */
export function linkOpenFile(fd: number, target: string): void {
  if (load().linkat(fd, '', AT_FDCWD, target, AT_EMPTY_PATH) < 0) throw errnoError('linkat', target);
}

/** Open flags for a descriptor that only names an object (O_PATH), never following a last symlink. */
export const PATH_NO_FOLLOW = O_PATH | constants.O_NOFOLLOW;

const SYS_OPEN_TREE = 428;
const SYS_MOVE_MOUNT = 429;
const SYS_MOUNT_SETATTR = 442;
const OPEN_TREE_CLONE = 1;
const MOVE_MOUNT_F_EMPTY_PATH = 0x04;
const MOUNT_ATTR_IDMAP = 0x00100000;
const MNT_DETACH = 2;
const UMOUNT_NOFOLLOW = 8;
/** sizeof(struct mount_attr) (MOUNT_ATTR_SIZE_VER0). */
const MOUNT_ATTR_SIZE = 32;

/**
 * Bind-mounts `source` at `target` with the ownership of the user namespace `usernsFd` (an idmapped
 * mount, Linux 5.12+): a file owned by id N on disk shows as the id that namespace maps N to. Built from
 * a detached copy of the tree (open_tree), idmapped (mount_setattr), then attached (move_mount).
 */
export function bindIdmapped(source: string, target: string, usernsFd: number): void {
  const c = load();
  const tree = c.syscall(SYS_OPEN_TREE, 'int', AT_FDCWD, 'str', source, 'uint', OPEN_TREE_CLONE | O_CLOEXEC);
  if (tree < 0) throw errnoError('open_tree', source);
  try {
    const attr = { attr_set: MOUNT_ATTR_IDMAP, attr_clr: 0, propagation: 0, userns_fd: usernsFd };
    if (c.syscall(SYS_MOUNT_SETATTR, 'int', tree, 'str', '', 'uint', AT_EMPTY_PATH, c.mountAttr, attr, 'size_t', MOUNT_ATTR_SIZE) < 0) {
      throw errnoError('mount_setattr', source);
    }
    if (c.syscall(SYS_MOVE_MOUNT, 'int', tree, 'str', '', 'int', AT_FDCWD, 'str', target, 'uint', MOVE_MOUNT_F_EMPTY_PATH) < 0) {
      throw errnoError('move_mount', target);
    }
  } finally {
    c.close(tree);
  }
}

const SYS_FSOPEN = 430;
const SYS_FSCONFIG = 431;
const SYS_FSMOUNT = 432;
const FSOPEN_CLOEXEC = 1;
const FSMOUNT_CLOEXEC = 1;
const FSCONFIG_SET_FLAG = 0;
const FSCONFIG_SET_STRING = 1;
const FSCONFIG_CMD_CREATE = 6;

export interface DirectOverlayMount {
  /** Absolute, top layer first. */
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
  target: string;
  volatile?: boolean;
}

/** Whether this kernel mounts overlays through the mount API with `lowerdir+`: learnt once per process. */
let overlayMountApi: boolean | undefined;

/**
 * Mounts an overlay at `target` through the mount API (fsopen, fsconfig, fsmount, move_mount), each lower
 * dir given alone (`lowerdir+`, Linux 6.8+), so no option string has to fit a page and no mount(8) is
 * spawned. false, having mounted nothing, when the kernel lacks the API or `lowerdir+` (the caller then asks
 * mount(8)); any other refusal throws, naming the call. fsconfig's CMD_CREATE sets the overlay up (lookups of
 * every layer) synchronously, on the event loop: as long as mount(8) would, without its spawn.
 */
export function tryMountOverlay(mount: DirectOverlayMount): boolean {
  if (overlayMountApi === false) return false;
  const c = load();
  const fs = c.syscall(SYS_FSOPEN, 'str', 'overlay', 'uint', FSOPEN_CLOEXEC);
  if (fs < 0) return (overlayMountApi = false);
  try {
    const set = (key: string, value: string | null): void => {
      if (c.syscall(SYS_FSCONFIG, 'int', fs, 'uint', value === null ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING, 'str', key, 'str', value, 'int', 0) < 0) {
        throw errnoError(`fsconfig ${key}`, value ?? mount.target);
      }
    };
    set('source', 'overlay');
    for (const [index, lower] of mount.lowerdirs.entries()) {
      try {
        set('lowerdir+', lower);
      } catch (err) {
        // A kernel before 6.8 does not know the key.
        if (index === 0 && overlayMountApi === undefined && (err as NodeJS.ErrnoException).code === 'EINVAL') return (overlayMountApi = false);
        throw err;
      }
    }
    overlayMountApi = true;
    set('upperdir', mount.upperdir);
    set('workdir', mount.workdir);
    if (mount.volatile) set('volatile', null);
    if (c.syscall(SYS_FSCONFIG, 'int', fs, 'uint', FSCONFIG_CMD_CREATE, 'str', null, 'str', null, 'int', 0) < 0) throw errnoError('fsconfig create', mount.target);
    const detached = c.syscall(SYS_FSMOUNT, 'int', fs, 'uint', FSMOUNT_CLOEXEC, 'uint', 0);
    if (detached < 0) throw errnoError('fsmount', mount.target);
    try {
      if (c.syscall(SYS_MOVE_MOUNT, 'int', detached, 'str', '', 'int', AT_FDCWD, 'str', mount.target, 'uint', MOVE_MOUNT_F_EMPTY_PATH) < 0) {
        throw errnoError('move_mount', mount.target);
      }
      return true;
    } finally {
      c.close(detached);
    }
  } finally {
    c.close(fs);
  }
}

/**
 * umount2(2) of `target` on a libuv worker thread: whether it succeeded. Only for a mount whose unmount is
 * quick (a volatile overlay syncs nothing): the pool's few threads also serve fs/promises and dns.lookup.
 * koffi does not carry errno back from the worker, so a caller that needs the reason asks umount(8).
 */
export function tryUnmount(target: string): Promise<boolean> {
  const { umount2 } = load();
  // The mount point itself, never where a symlink put in its place would lead.
  return new Promise((resolve) => {
    try {
      (umount2 as unknown as { async: (target: string, flags: number, done: (err: unknown, result: number) => void) => void }).async(target, UMOUNT_NOFOLLOW, (err, result) => resolve(!err && result === 0));
    } catch {
      // koffi refuses a call when its queue of asynchronous calls is full.
      resolve(false);
    }
  });
}

/** Detaches the mount at `target` (umount2 MNT_DETACH): gone from the tree at once, freed once unused. */
export function detachMount(target: string): void {
  if (load().umount2(target, MNT_DETACH) < 0) throw errnoError('umount2', target);
}
