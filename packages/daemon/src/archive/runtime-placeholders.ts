import { closeSync, constants, openSync, type Stats } from 'node:fs';
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fgetxattr, lstatInRoot } from '@berth/layer';

const OPAQUE_XATTR = 'trusted.overlay.opaque';

function isOpaque(dir: string): boolean {
  // A real descriptor (not O_PATH): xattrs cannot be read through a path-only one.
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    return fgetxattr(fd, OPAQUE_XATTR)?.toString() === 'y';
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes from a stopped container's overlay upper dir what the runtime made for its mounts where the
 * image had nothing: empty files and directories at mount destinations (`/etc/hosts`, `/proc`, …), then
 * their parents once empty, when the runtime created them or copied them up unchanged. Docker keeps
 * these in an init layer, so a build step's commit never carries them.
 */
export async function dropRuntimePlaceholders(upper: string, lowers: readonly string[], destinations: readonly string[]): Promise<void> {
  const lowerStats = (rel: string): Stats | undefined => {
    for (const lower of lowers) {
      const stats = lstatInRoot(lower, rel);
      if (stats !== undefined) return stats;
    }
    return undefined;
  };
  for (const destination of destinations) {
    const rel = posix.normalize(destination).replace(/^\/+/, '').replace(/\/+$/, '');
    if (rel === '' || rel.startsWith('..')) continue;
    const stats = lstatInRoot(upper, rel);
    if (stats === undefined || lowerStats(rel) !== undefined) continue;
    if (stats.isFile() && stats.size === 0) await unlink(join(upper, rel));
    else if (stats.isDirectory() && (await readdir(join(upper, rel))).length === 0) await rmdir(join(upper, rel));
    else continue;
    for (let parent = posix.dirname(rel); parent !== '.'; parent = posix.dirname(parent)) {
      const path = join(upper, parent);
      if ((await readdir(path)).length > 0 || isOpaque(path)) break;
      const lower = lowerStats(parent);
      const own = await lstat(path);
      // A directory copied up with its metadata changed is the step's own change.
      if (lower !== undefined && (lower.mode !== own.mode || lower.uid !== own.uid || lower.gid !== own.gid)) break;
      await rmdir(path);
    }
  }
}
