import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';

const MAX_SYMLINKS = 40;

/**
 * Resolves `path` as the container would see it, with `root` as "/": every symlink met on the way is
 * followed relative to `root`, so no link inside the container can lead the engine to a host path.
 * Returns a host path under `root` (the final component may not exist).
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = posix.join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch {
      isLink = false;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new Error(`too many levels of symbolic links resolving ${path}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter(Boolean), ...pending];
  }
  return posix.join(root, ...resolved);
}
