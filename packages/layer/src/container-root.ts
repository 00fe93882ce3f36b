import { access, mkdir, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, InternalError } from '@berth/api';
import { isMountPoint } from './mountinfo.js';
import { mountOverlay, overlayOptions, unmount } from './system-tools.js';

// The kernel reads mount options from a single page.
const MAX_MOUNT_OPTIONS = 4095;

export interface ContainerRootPaths {
  rootfs: string;
  upper: string;
  work: string;
}

export function containerRootPaths(dir: string): ContainerRootPaths {
  const base = resolve(dir);
  return { rootfs: join(base, 'rootfs'), upper: join(base, 'upper'), work: join(base, 'work') };
}

/**
 * Mounts overlayfs at `<dir>/rootfs` with a per-container upper and work dir. `lowerdirs` are
 * relative to `lowerRoot` (short `l/` links), which the mount resolves from its working directory.
 */
export async function mountOverlayRoot(dir: string, lowerdirs: string[], lowerRoot: string): Promise<string> {
  const paths = containerRootPaths(dir);
  // Commas separate mount options and colons lower dirs: such a path cannot be expressed.
  if (/[,:\\]/.test(paths.rootfs)) throw new InvalidArgumentError(`invalid container directory ${JSON.stringify(dir)}`);
  const options = { lowerdirs, upperdir: paths.upper, workdir: paths.work };
  if (overlayOptions(options).length > MAX_MOUNT_OPTIONS) {
    throw new InternalError(`too many layers to mount (${lowerdirs.length})`);
  }
  await mkdir(paths.upper, { recursive: true, mode: 0o755 });
  await mkdir(paths.work, { recursive: true, mode: 0o700 });
  await mkdir(paths.rootfs, { recursive: true, mode: 0o755 });
  if (await isMountPoint(paths.rootfs)) return paths.rootfs;
  await mountOverlay({ ...options, target: paths.rootfs, cwd: lowerRoot });
  return paths.rootfs;
}

/** Unmounts `<dir>/rootfs` (detaching lazily if it is busy) and removes the empty mount point. */
export async function unmountOverlayRoot(dir: string): Promise<void> {
  const { rootfs } = containerRootPaths(dir);
  // No mount point, no mount: a stat instead of reading mountinfo, for the many containers that never ran.
  if (!(await access(rootfs).then(() => true, () => false))) return;
  while (await isMountPoint(rootfs)) {
    try {
      await unmount(rootfs);
    } catch (err) {
      if (!(await isMountPoint(rootfs))) break;
      try {
        await unmount(rootfs, { lazy: true });
      } catch {
        throw err;
      }
    }
  }
  try {
    await rmdir(rootfs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY') throw err;
  }
}
