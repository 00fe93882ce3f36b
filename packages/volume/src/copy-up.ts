import { execFile } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { InternalError } from '@berth/api';

const run = promisify(execFile);

/**
 * Docker's copy-up: the image's content at a mount point seeds an empty volume, with its ownership and
 * mode. `source` must already be resolved inside the container's rootfs; `cp -a` does not follow the
 * symlinks it copies, so nothing outside that directory is read.
 */
export async function copyImageContent(source: string, volumeData: string): Promise<void> {
  const st = await lstat(source).catch(() => undefined);
  if (!st?.isDirectory()) return;
  try {
    await run('cp', ['-a', '--', `${source}/.`, volumeData]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new InternalError(`copying image content into volume: ${stderr}`, { cause: err });
  }
}
