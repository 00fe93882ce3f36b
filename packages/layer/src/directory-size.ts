import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes of the files under `dir` (a volume, a container's read-write layer), counting each hard-linked
 * inode once and not following symlinks, like moby's directory.Size. A missing directory is 0.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (path: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(path);
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(path, entry);
      const st = await lstat(child).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        await walk(child);
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1 && seen.has(key)) continue;
      seen.add(key);
      total += st.size;
    }
  };
  await walk(dir);
  return total;
}
