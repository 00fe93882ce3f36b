import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Detaches every mount under `prefix` (test cleanup, also after a failed assertion). */
export function unmountAllUnder(prefix: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ')[4])
    .filter((point) => point.startsWith(prefix))
    .reverse();
  for (const point of points) execFileSync('umount', ['-l', point]);
}

export function getXattr(path: string, name: string): string | undefined {
  try {
    return execFileSync('getfattr', ['-h', '--only-values', '-n', name, path], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    return undefined;
  }
}
