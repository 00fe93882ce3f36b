import { readFile, realpath } from 'node:fs/promises';
import { detachMount } from './syscalls.js';

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Mount points of this process's mount namespace. */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => unescapeMountPath(line.split(' ')[4]));
}

export async function isMountPoint(path: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  return (await mountPoints()).includes(resolved);
}

/**
 * Detaches every mount at or under `dir`, deepest first, so a recursive removal of `dir` cannot reach
 * into another tree: a bind from the same filesystem (an image layer) is invisible to `--one-file-system`.
 */
export async function detachMountsUnder(dir: string): Promise<void> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const inside = (await mountPoints()).filter((point) => point === root || point.startsWith(`${root}/`));
  // Deepest first; a mount that went with its parent's detach is already gone.
  for (const point of inside.sort((a, b) => b.length - a.length)) {
    try {
      detachMount(point);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOENT') throw err;
    }
  }
}
