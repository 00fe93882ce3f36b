import { chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, lutimesSync, open as openFd } from 'node:fs';
import { chmod, lchown, link, lutimes, open, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { writeCoalesced } from './coalesced-write.js';
import { setXattr } from './system-tools.js';

/** What a new regular file gets after its content: owner (when set), mode, xattrs, then times. */
export interface FileMeta {
  owner?: { uid: number; gid: number };
  mode: number;
  xattrs: [string, Buffer][];
  mtime: Date;
}

/** The file-system calls extraction makes besides its tree's checks. */
export interface ExtractIo {
  lchown(path: string, uid: number, gid: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  lutimes(path: string, time: Date): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  /** Creates the new regular file `path` (never through a symlink) with `content`; returns the bytes written. */
  createFile(path: string, content: AsyncIterable<Buffer>, meta: FileMeta): Promise<number>;
}

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The calls on a new file's open handle or descriptor. */
interface OpenFileCalls {
  chown(uid: number, gid: number): Promise<void> | void;
  chmod(mode: number): Promise<void> | void;
  utimes(time: Date): Promise<void> | void;
}

async function finishFile(calls: OpenFileCalls, path: string, meta: FileMeta): Promise<void> {
  // chown clears setuid/setgid bits and file capabilities: mode and xattrs come after it.
  if (meta.owner) await calls.chown(meta.owner.uid, meta.owner.gid);
  await calls.chmod(meta.mode);
  for (const [name, value] of meta.xattrs) await setXattr(path, name, value);
  await calls.utimes(meta.mtime);
}

/** Through the threadpool: for a tree others may touch while it is written, where a call may wait. */
export const threadpoolIo: ExtractIo = {
  lchown: (path, uid, gid) => lchown(path, uid, gid),
  chmod: (path, mode) => chmod(path, mode),
  lutimes: (path, time) => lutimes(path, time, time),
  symlink: (target, path) => symlink(target, path),
  link: (existing, path) => link(existing, path),
  async createFile(path, content, meta) {
    const handle = await open(path, NEW_FILE, 0o600);
    try {
      const bytes = await writeCoalesced(handle, content);
      await finishFile({ chown: (uid, gid) => handle.chown(uid, gid), chmod: (mode) => handle.chmod(mode), utimes: (time) => handle.utimes(time, time) }, path, meta);
      return bytes;
    } finally {
      await handle.close();
    }
  },
};

const openAsync = promisify(openFd);

/**
 * Direct (synchronous) calls that set an existing inode's owner, mode and times: for a private directory
 * on the daemon's own disk (a staging dir), where each took microseconds even on a disk busy writing
 * back, against a threadpool round trip of ~75 us (a data root on a network filesystem would make each
 * wait on the network). What creates or writes (a file, its content, a link, a directory) stays in the
 * threadpool: a direct open(O_CREAT) was measured waiting ~1.2 ms on such a disk, and a write can be
 * throttled while dirty pages are written back; the main thread must not wait with them.
 */
export const directIo: ExtractIo = {
  lchown: async (path, uid, gid) => lchownSync(path, uid, gid),
  chmod: async (path, mode) => chmodSync(path, mode),
  lutimes: async (path, time) => lutimesSync(path, time, time),
  symlink: (target, path) => symlink(target, path),
  link: (existing, path) => link(existing, path),
  async createFile(path, content, meta) {
    const fd = await openAsync(path, NEW_FILE, 0o600);
    try {
      const bytes = await writeCoalesced(fd, content);
      await finishFile({ chown: (uid, gid) => fchownSync(fd, uid, gid), chmod: (mode) => fchmodSync(fd, mode), utimes: (time) => futimesSync(fd, time, time) }, path, meta);
      return bytes;
    } finally {
      closeSync(fd);
    }
  },
};
