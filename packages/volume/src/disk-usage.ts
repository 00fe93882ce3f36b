import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of the files under `dir` (hard links counted once, symlinks not followed), like moby's directory.Size. */
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
