import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InternalError } from '@berth/api';

/**
 * The only module of the volume store that runs external programs: mount(8) and umount(8) for the local
 * driver's `type`/`device`/`o` mounts, and cp(1) for copy-up. Every call passes an argument vector, never a shell.
 */
const execFileAsync = promisify(execFile);

/** Runs `tool`; its failure becomes an InternalError that starts with `failure` and carries the tool's stderr. */
async function run(tool: string, args: string[], failure: string): Promise<void> {
  try {
    await execFileAsync(tool, args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new InternalError(`${failure}: ${stderr}`, { cause: err });
  }
}

export async function mountDevice(type: string, device: string, target: string, options: string): Promise<void> {
  const args = ['-t', type || 'none', ...(options ? ['-o', options] : []), '--', device, target];
  await run('mount', args, `error while mounting volume '${target}'`);
}

export async function unmountDevice(target: string): Promise<void> {
  await run('umount', ['--', target], `error while unmounting volume '${target}'`);
}

/** `cp -a` of the content of the directory `source` into `volumeData`; `cp -a` does not follow the symlinks it copies. */
export async function copyImageTree(source: string, volumeData: string): Promise<void> {
  await run('cp', ['-a', '--', `${source}/.`, volumeData], 'copying image content into volume');
}
