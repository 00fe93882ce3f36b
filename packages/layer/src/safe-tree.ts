import { lstatSync, type Stats } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsafeArchiveEntryError } from './errors.js';
import type { ExtractTree } from './extract-tree.js';

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/**
 * The extraction target. Every path it hands out has been checked component by component with
 * lstat, so nothing is ever written through a symlink or outside the root. The root is private to
 * the extraction (a fresh staging dir), so no one else changes it between the check and the write.
 * Being private and on the daemon's disk, it is checked with synchronous lstat calls: microseconds
 * each, against a threadpool round trip ten times that; what creates or removes stays in the threadpool
 * (see directIo).
 */
export class SafeTree implements ExtractTree {
  /** Relative paths already known to be real directories. */
  private readonly knownDirs = new Set<string>(['']);

  constructor(readonly root: string) {}

  async close(): Promise<void> {
    // Nothing is held open: every check is by path.
  }

  absolute(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }

  /** Makes sure every parent of `path` is a real directory, creating missing ones (0755) as tar does. */
  async prepareParents(entryName: string, path: string): Promise<void> {
    const components = path.split('/').slice(0, -1);
    let current = '';
    for (const component of components) {
      current = current === '' ? component : `${current}/${component}`;
      if (this.knownDirs.has(current)) continue;
      const stats = lstatOrUndefined(this.absolute(current));
      if (stats === undefined) {
        await mkdir(this.absolute(current), { mode: 0o755 });
      } else if (stats.isSymbolicLink()) {
        throw new UnsafeArchiveEntryError(entryName, `parent ${JSON.stringify(current)} is a symlink`);
      } else if (!stats.isDirectory()) {
        throw new UnsafeArchiveEntryError(entryName, `parent ${JSON.stringify(current)} is not a directory`);
      }
      this.knownDirs.add(current);
    }
  }

  /**
   * Frees `path` for a new non-directory: a later entry replaces an earlier non-directory (tar
   * semantics); replacing a directory, and so everything already extracted under it, is refused.
   */
  async prepareSlot(entryName: string, path: string): Promise<string> {
    if (path === '') throw new UnsafeArchiveEntryError(entryName, 'the layer root must be a directory');
    await this.prepareParents(entryName, path);
    const absolute = this.absolute(path);
    const existing = lstatOrUndefined(absolute);
    if (existing?.isDirectory()) {
      throw new UnsafeArchiveEntryError(entryName, 'conflicts with an earlier directory entry');
    }
    if (existing !== undefined) await unlink(absolute);
    return absolute;
  }

  /** Makes `path` a real directory: an existing one is kept (entries merge), a non-directory is replaced. */
  async prepareDirectory(entryName: string, path: string): Promise<string> {
    await this.prepareParents(entryName, path);
    const absolute = this.absolute(path);
    if (this.knownDirs.has(path)) return absolute;
    const existing = lstatOrUndefined(absolute);
    if (existing === undefined || !existing.isDirectory()) {
      if (existing !== undefined) await unlink(absolute);
      await mkdir(absolute, { mode: 0o755 });
    }
    this.knownDirs.add(path);
    return absolute;
  }

  /** The absolute path of an existing, already extracted non-directory, reached without following symlinks. */
  async resolveHardlinkTarget(entryName: string, target: string): Promise<string> {
    const components = target.split('/');
    let current = '';
    for (const [index, component] of components.entries()) {
      current = current === '' ? component : `${current}/${component}`;
      const stats = lstatOrUndefined(this.absolute(current));
      const quoted = JSON.stringify(target);
      if (stats === undefined) {
        throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} has not been extracted`);
      }
      const last = index === components.length - 1;
      if (!last && stats.isSymbolicLink()) {
        throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} goes through a symlink`);
      }
      if (!last && !stats.isDirectory()) {
        throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} has not been extracted`);
      }
      if (last && stats.isDirectory()) {
        throw new UnsafeArchiveEntryError(entryName, `hardlink target ${quoted} is a directory`);
      }
    }
    return this.absolute(target);
  }
}
