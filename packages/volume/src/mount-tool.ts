import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { InternalError } from '@berth/api';

const run = promisify(execFile);

/** The one place that calls mount(8) and umount(8): the local driver's `type`/`device`/`o` mounts. */
export async function mountDevice(type: string, device: string, target: string, options: string): Promise<void> {
  const args = ['-t', type || 'none', ...(options ? ['-o', options] : []), '--', device, target];
  try {
    await run('mount', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new InternalError(`error while mounting volume '${target}': ${stderr}`, { cause: err });
  }
}

export async function unmountDevice(target: string): Promise<void> {
  try {
    await run('umount', ['--', target]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new InternalError(`error while unmounting volume '${target}': ${stderr}`, { cause: err });
  }
}

function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export async function isMounted(target: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((line) => line !== '' && unescapeMountPath(line.split(' ')[4] ?? '') === target);
}
