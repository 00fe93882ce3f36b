import { closeFd, openDirectoryPath, openInRoot, type PathInRoot } from '@berth/layer';
import { copyImageTree } from './system-tools.js';

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
    // Nothing the image holds at the mount point can be opened inside the root: there is nothing to copy.
    return;
  } finally {
    closeFd(root);
  }
  try {
    if (source.stats.isDirectory()) await copyImageTree(`/proc/${process.pid}/fd/${source.fd}`, volumeData);
  } finally {
    closeFd(source.fd);
  }
}
