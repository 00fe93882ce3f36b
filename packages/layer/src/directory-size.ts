import { closeFd, openDirectoryPath } from './path-in-root.js';
import { walkTree } from './tree-walk.js';

/**
 * Bytes of the files under `dir` (a volume, a container's read-write layer), counting each hard-linked
 * inode once and not following symlinks, like moby's directory.Size. A missing directory is 0. The
 * walk goes through descriptors only, so a container changing the tree cannot make it measure host files.
 */
export async function directorySize(dir: string): Promise<number> {
  let top: number;
  try {
    top = openDirectoryPath(dir);
  } catch {
    return 0;
  }
  const seen = new Set<string>();
  let total = 0;
  try {
    await walkTree(top, async ({ path, stats }) => {
      if (path === '' || stats.isDirectory()) return;
      const key = `${stats.dev}:${stats.ino}`;
      if (stats.nlink > 1 && seen.has(key)) return;
      seen.add(key);
      total += stats.size;
    });
  } finally {
    closeFd(top);
  }
  return total;
}
