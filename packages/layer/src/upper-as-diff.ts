import { closeSync, constants, openSync, type Stats } from 'node:fs';
import { lstat, lutimes, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fgetxattr, llistxattr, lremovexattr } from './syscalls.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Whether the directory is opaque the way upperDirTar marks it (`.wh..wh..opq` for the value `y`). */
function markedOpaque(path: string): boolean {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    return fgetxattr(fd, OPAQUE_XATTR)?.toString() === 'y';
  } finally {
    closeSync(fd);
  }
}

/** Removes every xattr but the opaque marker of a directory upperDirTar marks opaque. */
function keepOnlyOpaqueMarker(path: string, stats: Stats): void {
  for (const name of llistxattr(path)) {
    if (name === OPAQUE_XATTR && stats.isDirectory() && markedOpaque(path)) continue;
    lremovexattr(path, name);
  }
}

/** The modification time a tar entry records: whole seconds. */
const tarTime = (stats: Stats): Date => new Date(Math.floor(stats.mtimeMs / 1000) * 1000);

/**
 * Makes a stopped, unmounted container's overlay upper dir exactly what extracting its layer tar
 * (`upperDirTar`) gives, so that it can become the layer's diff instead of being copied: the tar holds
 * no xattrs but overlay's opaque marker (overlay's own `origin`, `impure` and `uuid` would otherwise
 * reach a lower layer), no sockets, and times in whole seconds. The tree is private by then: it is
 * walked by path, never through a symlink. Returns the bytes of regular-file content, each inode once,
 * as extraction counts them.
 */
export async function upperAsLayerDiff(upper: string): Promise<number> {
  const inodes = new Set<string>();
  let bytes = 0;
  const visit = async (path: string, stats: Stats, top: boolean): Promise<void> => {
    keepOnlyOpaqueMarker(path, stats);
    if (stats.isFile() && !inodes.has(`${stats.dev}:${stats.ino}`)) {
      inodes.add(`${stats.dev}:${stats.ino}`);
      bytes += stats.size;
    }
    if (stats.isDirectory()) {
      for (const name of await readdir(path)) {
        const child = join(path, name);
        const childStats = await lstat(child);
        if (childStats.isSocket()) await unlink(child);
        else await visit(child, childStats, false);
      }
    }
    // Last for a directory, whose time removing a socket changed. The top has no entry in the tar.
    if (!top && (stats.isDirectory() || stats.mtimeMs !== tarTime(stats).getTime())) await lutimes(path, stats.atime, tarTime(stats));
  };
  await visit(upper, await lstat(upper), true);
  return bytes;
}
