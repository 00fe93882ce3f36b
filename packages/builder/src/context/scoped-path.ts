import { lstat, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { InvalidArgumentError } from '@berth/api';

const MAX_LINKS = 255;

/** A COPY source as moby names it in messages: one leading `/`, then one `./`, removed. */
export function trimSource(path: string): string {
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  return trimmed.startsWith('./') ? trimmed.slice(2) : trimmed;
}

/**
 * A path given relative to a build context (moby trims one leading `/` and `./`), cleaned; a path that
 * climbs above the context is refused with moby's message.
 */
export function contextRelative(path: string): string {
  const trimmed = trimSource(path);
  // Go's Join(root, path) ignores leading slashes of `path` and then cleans: `..` may climb out of root.
  const cleaned = posix.normalize(trimmed.replace(/^\/+/, '') || '.').replace(/\/+$/, '');
  if (cleaned === '..' || cleaned.startsWith('../')) {
    throw new InvalidArgumentError(`forbidden path outside the build context: ${trimmed} ()`);
  }
  return cleaned === '.' ? '' : cleaned;
}

/**
 * Resolves every symlink of `rel` inside `root` as moby's FollowSymlinkInScope does: an absolute
 * target starts again at `root`, `..` stops at it, so the result (relative, '' for the root) never
 * leaves it. Missing components are kept as they are. `root` is private: no one changes it meanwhile.
 */
export async function resolveInScope(root: string, rel: string): Promise<string> {
  const resolved: string[] = [];
  let pending = rel.split('/').filter((c) => c !== '' && c !== '.');
  let links = 0;
  while (pending.length > 0) {
    const [component, ...rest] = pending;
    pending = rest;
    if (component === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, component].join('/');
    const stats = await lstat(join(root, candidate)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!stats?.isSymbolicLink()) {
      resolved.push(component);
      continue;
    }
    if (++links > MAX_LINKS) throw new InvalidArgumentError(`too many links resolving ${rel}`);
    const target = await readlink(join(root, candidate));
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter((c) => c !== '' && c !== '.'), ...pending];
  }
  return resolved.join('/');
}
