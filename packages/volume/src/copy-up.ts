import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InternalError } from '@berth/api';
import { closeFd, openDirectoryPath, openInRoot, type PathInRoot } from '@berth/layer';

const run = promisify(execFile);

/**
 * Docker's copy-up: the image's content at a mount point seeds an empty volume, with its ownership and
 * mode. `destination` is resolved inside `rootfs` through descriptors (symlinks interpreted inside the
 * root), and `cp -a` is given the resolved directory as this process's open descriptor, so no path it
 * walks starts outside that directory; `cp -a` does not follow the symlinks it copies.
 */
export async function copyImageContent(rootfs: string, destination: string, volumeData: string): Promise<void> {
  const root = openDirectoryPath(rootfs);
  let source: PathInRoot;
  try {
    source = openInRoot(root, destination);
  } catch {
    return;
  } finally {
    closeFd(root);
  }
  try {
    if (!source.stats.isDirectory()) return;
    await run('cp', ['-a', '--', `/proc/${process.pid}/fd/${source.fd}/.`, volumeData]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new InternalError(`copying image content into volume: ${stderr}`, { cause: err });
  } finally {
    closeFd(source.fd);
  }
}
