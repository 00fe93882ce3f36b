import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rmdir, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { OverwriteConflictError, UnsafeArchiveEntryError } from './errors.js';
import type { ExtractTree } from './extract-tree.js';

const DIR_NO_FOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Directories held open at once besides the root: a tar of a million directories must not exhaust the daemon's descriptors. */
export const MAX_HELD_DIRECTORIES = 128;

/** A filesystem mounted below the extraction root: entries under it are written into it. */
export interface ExtractMount {
  /** A trusted path naming the mounted directory (its source, or a `/proc/self/fd/<n>` the caller holds). */
  source: string;
  readOnly: boolean;
}

/** The path naming an open directory (see PinnedTree on why the pid rather than `self`). */
function pathOf(handle: FileHandle): string {
  return `/proc/${process.pid}/fd/${handle.fd}`;
}

/**
 * What an entry does to something of the other kind (directory or not) already at its path: 'replace'
 * removes it (a directory with everything in it), 'refuse' fails with OverwriteConflictError, and 'tar'
 * lets a directory replace a non-directory but never the reverse.
 */
export type DirNonDirPolicy = 'tar' | 'replace' | 'refuse';

export interface PinnedTreeOptions {
  /** Filesystems mounted below the root, by path relative to it. */
  mounts?: ReadonlyMap<string, ExtractMount>;
  /** Default 'tar'. */
  dirNonDir?: DirNonDirPolicy;
  /** Given to the parent directories made for entries whose archive has none (see UnpackOptions.parentOwner). */
  parentOwner?: { uid: number; gid: number };
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * An extraction target that other processes may change while it is written (a running container's
 * directory). Every directory is held open, opened with O_NOFOLLOW relative to its open parent, and every
 * path handed out names an entry through its parent's descriptor (`/proc/<pid>/fd/<n>/<name>`), so a
 * directory swapped for a symlink after it was opened cannot redirect a write. The pid, not `self`,
 * keeps the paths valid in the tools (mknod, setfattr) the extraction runs as child processes.
 */
export class PinnedTree implements ExtractTree {
  /** Open directories below the root, least recently used first. */
  private readonly dirs = new Map<string, FileHandle>();
  private currentEntry: string | undefined;

  private constructor(
    private readonly root: FileHandle,
    private readonly mounts: ReadonlyMap<string, ExtractMount>,
    private readonly dirNonDir: DirNonDirPolicy,
    private readonly parentOwner: { uid: number; gid: number } | undefined,
  ) {}

  /** Opens `root` (trusted: it may itself be a `/proc/self/fd/<n>` path) as the top of the tree. */
  static async open(root: string, options: PinnedTreeOptions = {}): Promise<PinnedTree> {
    const handle = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
    return new PinnedTree(handle, options.mounts ?? new Map(), options.dirNonDir ?? 'tar', options.parentOwner);
  }

  async close(): Promise<void> {
    const handles = [this.root, ...this.dirs.values()];
    this.dirs.clear();
    await Promise.all(handles.map((h) => h.close()));
  }

  /**
   * Called at the start of every operation. Only when a new entry begins are the least recently used
   * directories closed (opened again through their parents when needed): the paths handed out for the
   * entry in progress name directories through their descriptors, which must stay open until it is done.
   */
  private async beginEntry(entryName: string): Promise<void> {
    if (entryName === this.currentEntry) return;
    this.currentEntry = entryName;
    for (const [path, handle] of this.dirs) {
      if (this.dirs.size <= MAX_HELD_DIRECTORIES) break;
      this.dirs.delete(path);
      await handle.close();
    }
  }

  private held(path: string): FileHandle | undefined {
    if (path === '') return this.root;
    const handle = this.dirs.get(path);
    if (handle === undefined) return undefined;
    // Most recently used last.
    this.dirs.delete(path);
    this.dirs.set(path, handle);
    return handle;
  }

  /** Refuses entries that would land on a read-only mount or replace a mount point (or a directory holding one). */
  private checkMounts(entryName: string, path: string, replacing: boolean): void {
    if (replacing && [...this.mounts.keys()].some((m) => m === path || m.startsWith(`${path}/`))) {
      throw new UnsafeArchiveEntryError(entryName, 'cannot replace a mount point');
    }
    for (const [destination, mount] of this.mounts) {
      if (mount.readOnly && (path === destination || path.startsWith(`${destination}/`))) {
        throw new UnsafeArchiveEntryError(entryName, 'mounted volume is marked read-only');
      }
    }
  }

  /** The open directory of the parent of `path`, opening (and, if `create`, creating with 0755) each one on the way. */
  private async parentOf(entryName: string, path: string, create = true): Promise<{ parent: FileHandle; name: string }> {
    const components = path.split('/');
    const name = components.pop() ?? '';
    let current = '';
    let parent = this.root;
    for (const component of components) {
      current = current === '' ? component : `${current}/${component}`;
      parent = this.held(current) ?? (await this.openChild(entryName, parent, current, component, create ? 'parent' : 'existing'));
    }
    return { parent, name };
  }

  private async openChild(
    entryName: string,
    parent: FileHandle,
    path: string,
    name: string,
    role: 'parent' | 'directory' | 'existing',
  ): Promise<FileHandle> {
    const mount = this.mounts.get(path);
    if (mount) return this.hold(path, await open(mount.source, constants.O_RDONLY | constants.O_DIRECTORY));
    const child = `${pathOf(parent)}/${name}`;
    let handle: FileHandle;
    let implied = false;
    try {
      handle = await open(child, DIR_NO_FOLLOW);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' && role !== 'existing') {
        await mkdir(child, { mode: 0o755 });
        implied = role === 'parent';
      } else if ((code === 'ENOTDIR' || code === 'ELOOP') && role === 'directory') {
        if (this.dirNonDir === 'refuse') throw new OverwriteConflictError(entryName, path, false);
        await unlink(child);
        await mkdir(child, { mode: 0o755 });
      } else if (code === 'ENOTDIR' || code === 'ELOOP') {
        throw new UnsafeArchiveEntryError(entryName, `parent ${JSON.stringify(path)} is a symlink or not a directory`);
      } else {
        throw err;
      }
      handle = await open(child, DIR_NO_FOLLOW);
      // Through the descriptor: the directory made is the one chowned.
      if (implied && this.parentOwner) await handle.chown(this.parentOwner.uid, this.parentOwner.gid);
    }
    return this.hold(path, handle);
  }

  private hold(path: string, handle: FileHandle): FileHandle {
    this.dirs.set(path, handle);
    return handle;
  }

  async prepareSlot(entryName: string, path: string): Promise<string> {
    await this.beginEntry(entryName);
    if (path === '') throw new UnsafeArchiveEntryError(entryName, 'the layer root must be a directory');
    this.checkMounts(entryName, path, true);
    const { parent, name } = await this.parentOf(entryName, path);
    const slot = `${pathOf(parent)}/${name}`;
    const existing = await lstatOrUndefined(slot);
    if (existing?.isDirectory()) {
      if (this.dirNonDir !== 'replace') throw new OverwriteConflictError(entryName, path, true);
      await this.removeDirectory(parent, name, path);
    } else if (existing !== undefined) {
      await unlink(slot);
    }
    return slot;
  }

  /** Removes the directory `name` of `parent` (at `path` in the tree) with everything in it, closing what is held of it first. */
  private async removeDirectory(parent: FileHandle, name: string, path: string): Promise<void> {
    for (const [held, handle] of this.dirs) {
      if (held !== path && !held.startsWith(`${path}/`)) continue;
      this.dirs.delete(held);
      await handle.close();
    }
    await removeTree(parent, name);
  }

  /** `<open directory>/.`: follows to the held directory, yet is no symlink itself (lchown, setfattr -h work on it). */
  async prepareDirectory(entryName: string, path: string): Promise<string> {
    await this.beginEntry(entryName);
    this.checkMounts(entryName, path, false);
    let handle = this.held(path);
    if (handle === undefined) {
      const { parent, name } = await this.parentOf(entryName, path);
      handle = await this.openChild(entryName, parent, path, name, 'directory');
    }
    return `${pathOf(handle)}/.`;
  }

  async resolveHardlinkTarget(entryName: string, target: string): Promise<string> {
    await this.beginEntry(entryName);
    const quoted = JSON.stringify(target);
    const { parent, name } = await this.parentOf(entryName, target, false).catch((err: unknown) => {
      throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} has not been extracted`, { cause: err });
    });
    const existing = `${pathOf(parent)}/${name}`;
    const stats = await lstatOrUndefined(existing);
    if (stats === undefined) throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} has not been extracted`);
    if (stats.isDirectory()) throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} is a directory`);
    return existing;
  }
}

/**
 * Removes `name` of the open directory `parent` and, if it is a directory, everything in it. Every step
 * names an entry through its parent's descriptor and never follows a last symlink (unlink, rmdir and
 * O_NOFOLLOW opens), so a tree others change meanwhile can make it fail but not reach outside.
 */
async function removeTree(parent: FileHandle, name: string): Promise<void> {
  const path = `${pathOf(parent)}/${name}`;
  try {
    await unlink(path);
    return;
  } catch (err) {
    if (errnoOf(err) !== 'EISDIR') throw err;
  }
  const dir = await open(path, DIR_NO_FOLLOW);
  try {
    for (const child of await readdir(pathOf(dir))) await removeTree(dir, child);
  } finally {
    await dir.close();
  }
  await rmdir(path);
}
