import type { Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { closeFd, fdPath, fgetxattr, openDirectoryPath, openInRoot, walkTree, type PathInRoot } from '@berth/layer';

/** Docker's change kinds: 0 modified, 1 added, 2 deleted. */
export enum ChangeKind {
  Modified = 0,
  Added = 1,
  Deleted = 2,
}

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';

const isWhiteout = (stats: Stats): boolean => stats.isCharacterDevice() && stats.rdev === 0;

/** What the upper directory holds at one path. */
interface UpperEntry {
  path: string;
  stats: Stats;
  opaque: boolean;
}

/** The upper directory's entries (paths absolute in the container), read through descriptors (see walkTree). */
async function readUpper(upper: string, ignore: Set<string>): Promise<UpperEntry[]> {
  let top: number;
  try {
    top = openDirectoryPath(upper);
  } catch {
    return [];
  }
  const entries: UpperEntry[] = [];
  try {
    await walkTree(top, async ({ path, stats, dirFd }) => {
      if (path === '') return;
      const inContainer = `/${path}`;
      if (ignore.has(inContainer)) return false;
      entries.push({ path: inContainer, stats, opaque: dirFd !== undefined && fgetxattr(dirFd, OPAQUE_XATTR)?.toString() === 'y' });
    });
  } finally {
    closeFd(top);
  }
  return entries;
}

/**
 * The image layers under the upper dir, top first, each opened once for the scan. Paths are looked up in
 * them without following any symlink on the way: a layer's own links (which may point anywhere) are not
 * part of what the container sees at that path.
 */
class Lowers {
  private constructor(private readonly fds: number[]) {}

  static open(dirs: string[]): Lowers {
    const fds: number[] = [];
    try {
      for (const dir of dirs) fds.push(openDirectoryPath(dir));
    } catch (err) {
      fds.forEach(closeFd);
      throw err;
    }
    return new Lowers(fds);
  }

  /** What the topmost layer holding `path` has there; null if none does or it is whited out. */
  stats(path: string): Stats | null {
    for (const fd of this.fds) {
      const found = find(fd, path, false);
      if (!found) continue;
      closeFd(found.fd);
      return isWhiteout(found.stats) ? null : found.stats;
    }
    return null;
  }

  /** Names the layers have in the directory `dir`. */
  async names(dir: string): Promise<Set<string>> {
    const names = new Set<string>();
    for (const fd of this.fds) {
      const found = find(fd, dir, true);
      if (!found) continue;
      try {
        if (found.stats.isDirectory()) for (const name of await readdir(fdPath(found.fd))) names.add(name);
      } finally {
        closeFd(found.fd);
      }
    }
    return names;
  }

  close(): void {
    this.fds.forEach(closeFd);
  }
}

/** `path` in one layer, or null when it is not there (or only behind a symlink). */
function find(layerFd: number, path: string, followLast: boolean): PathInRoot | null {
  try {
    return openInRoot(layerFd, path, { followLast, noSymlinks: true });
  } catch {
    return null;
  }
}

/**
 * A container's filesystem changes from its overlay upper directory: whiteouts (0/0 character devices)
 * are deletions, opaque directories hide what the lower layers (`lowers`, top first) had in them.
 * `ignore` names container paths the runtime creates as mount points: not the user's changes.
 */
export async function containerChanges(upper: string, lowers: string[], ignore: Iterable<string> = []): Promise<Change[]> {
  const entries = await readUpper(upper, new Set(ignore));
  const layers = Lowers.open(lowers);
  try {
    return await scanChanges(entries, layers);
  } finally {
    layers.close();
  }
}

async function scanChanges(entries: UpperEntry[], lowers: Lowers): Promise<Change[]> {
  const present = new Set(entries.map((e) => e.path));
  const changes: Change[] = [];
  /** Directories below which something was recorded. */
  const changedBelow = new Set<string>();
  const record = (path: string, kind: ChangeKind): void => {
    changes.push({ Path: path, Kind: kind });
    for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) changedBelow.add(dir);
  };
  // Deepest first, so a directory's verdict sees everything recorded below it.
  for (const entry of [...entries].sort((a, b) => b.path.split('/').length - a.path.split('/').length)) {
    if (isWhiteout(entry.stats)) {
      record(entry.path, ChangeKind.Deleted);
      continue;
    }
    const lower = lowers.stats(entry.path);
    if (!entry.stats.isDirectory()) {
      record(entry.path, lower ? ChangeKind.Modified : ChangeKind.Added);
      continue;
    }
    if (lower && entry.opaque) {
      for (const name of await lowers.names(entry.path)) {
        const hidden = posix.join(entry.path, name);
        if (!present.has(hidden)) record(hidden, ChangeKind.Deleted);
      }
    }
    const metadataChanged = lower !== null && (lower.mode !== entry.stats.mode || lower.uid !== entry.stats.uid || lower.gid !== entry.stats.gid);
    // A directory copied up only because a child changed is reported as modified, as Docker does.
    if (!lower) record(entry.path, ChangeKind.Added);
    else if (changedBelow.has(entry.path) || entry.opaque || metadataChanged) record(entry.path, ChangeKind.Modified);
  }
  return changes.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
