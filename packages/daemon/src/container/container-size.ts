import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes used by a directory tree (a container's read-write layer), counting each hard-linked inode
 * once, as dockerd's directory size does. A missing directory is 0.
 */
export async function directorySize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const stat = await lstat(path).catch(() => undefined);
      if (!stat) continue;
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const inode = `${stat.dev}:${stat.ino}`;
      if (seen.has(inode)) continue;
      seen.add(inode);
      total += stat.size;
    }
  };
  await walk(root);
  return total;
}
