import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { UnsafeArchiveEntryError } from './errors.js';
import type { ExtractTree } from './extract-tree.js';

const DIR_NO_FOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

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
  private readonly dirs = new Map<string, FileHandle>();

  private constructor(root: FileHandle) {
    this.dirs.set('', root);
  }

  /** Opens `root` (trusted: it may itself be a `/proc/self/fd/<n>` path) as the top of the tree. */
  static async open(root: string): Promise<PinnedTree> {
    return new PinnedTree(await open(root, constants.O_RDONLY | constants.O_DIRECTORY));
  }

  async close(): Promise<void> {
    const handles = [...this.dirs.values()];
    this.dirs.clear();
    await Promise.all(handles.map((h) => h.close()));
  }

  private static fdPath(handle: FileHandle): string {
    return `/proc/${process.pid}/fd/${handle.fd}`;
  }

  /** The open directory of the parent of `path`, opening (and, if `create`, creating with 0755) each one on the way. */
  private async parentOf(entryName: string, path: string, create = true): Promise<{ parent: FileHandle; name: string }> {
    const components = path.split('/');
    const name = components.pop() ?? '';
    let current = '';
    let parent = this.dirs.get('') as FileHandle;
    for (const component of components) {
      current = current === '' ? component : `${current}/${component}`;
      parent = this.dirs.get(current) ?? (await this.openChild(entryName, parent, current, component, create ? 'parent' : 'existing'));
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
    const child = `${PinnedTree.fdPath(parent)}/${name}`;
    let handle: FileHandle;
    try {
      handle = await open(child, DIR_NO_FOLLOW);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' && role !== 'existing') {
        await mkdir(child, { mode: 0o755 });
      } else if ((code === 'ENOTDIR' || code === 'ELOOP') && role === 'directory') {
        // A directory entry replaces an earlier non-directory, as tar does.
        await unlink(child);
        await mkdir(child, { mode: 0o755 });
      } else if (code === 'ENOTDIR' || code === 'ELOOP') {
        throw new UnsafeArchiveEntryError(entryName, `parent ${JSON.stringify(path)} is a symlink or not a directory`);
      } else {
        throw err;
      }
      handle = await open(child, DIR_NO_FOLLOW);
    }
    this.dirs.set(path, handle);
    return handle;
  }

  async prepareSlot(entryName: string, path: string): Promise<string> {
    if (path === '') throw new UnsafeArchiveEntryError(entryName, 'the layer root must be a directory');
    const { parent, name } = await this.parentOf(entryName, path);
    const slot = `${PinnedTree.fdPath(parent)}/${name}`;
    const existing = await lstatOrUndefined(slot);
    if (existing?.isDirectory()) throw new UnsafeArchiveEntryError(entryName, 'conflicts with an earlier directory entry');
    if (existing !== undefined) await unlink(slot);
    return slot;
  }

  /** `<open directory>/.`: follows to the held directory, yet is no symlink itself (lchown, setfattr -h work on it). */
  async prepareDirectory(entryName: string, path: string): Promise<string> {
    let handle = this.dirs.get(path);
    if (handle === undefined) {
      const { parent, name } = await this.parentOf(entryName, path);
      handle = await this.openChild(entryName, parent, path, name, 'directory');
    }
    return `${PinnedTree.fdPath(handle)}/.`;
  }

  async resolveHardlinkTarget(entryName: string, target: string): Promise<string> {
    const quoted = JSON.stringify(target);
    const { parent, name } = await this.parentOf(entryName, target, false).catch((err: unknown) => {
      throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} has not been extracted`, { cause: err });
    });
    const existing = `${PinnedTree.fdPath(parent)}/${name}`;
    const stats = await lstatOrUndefined(existing);
    if (stats === undefined) throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} has not been extracted`);
    if (stats.isDirectory()) throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} is a directory`);
    return existing;
  }
}
