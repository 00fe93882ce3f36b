import { readFile, realpath } from 'node:fs/promises';

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
function unescapeMountPath(field: string): string {
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
