import { access, chown, mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConflictError, InvalidArgumentError, InternalError } from '@berth/api';
import { writeFileAtomic } from './atomic-file.js';
import { detachMountsUnder, isMountPoint } from './mountinfo.js';
import type { IdmappedLayers } from './idmapped-layers.js';
import type { Owner } from './extract.js';
import { mountOverlay, overlayOptions, unmount } from './system-tools.js';
import { tryMountOverlay, tryUnmount } from './syscalls.js';

/** Where a remapped root's idmapped lower layers are attached while its overlay is mounted. */
const IDMAPPED_DIR = 'idmapped';

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

const BOOT_ID = '/proc/sys/kernel/random/boot_id';
/** In a container's dir: the boot its root was last mounted volatile in. */
const VOLATILE_BOOT = 'volatile-boot-id';

let currentBoot: Promise<string> | undefined;

/**
 * Clears the kernel's marker of a volatile mount made in this boot; refuses one from an earlier boot. A
 * root last mounted volatile before the stamp existed has none, and is mounted as before.
 */
async function clearVolatileMarker(dir: string, marker: string): Promise<void> {
  currentBoot ??= readFile(BOOT_ID, 'utf8').then((id) => id.trim());
  const boot = await currentBoot;
  const stamp = join(dir, VOLATILE_BOOT);
  const stamped = (await readFile(stamp, 'utf8').catch(() => undefined))?.trim();
  if (stamped !== undefined && stamped !== boot && (await access(marker).then(() => true, () => false))) {
    throw new ConflictError('the container\'s root was mounted volatile before the host restarted: what it holds is not trusted; remove the container');
  }
  // Once per boot, and durable: a stamp a host crash lost would let its root through.
  if (stamped !== boot) await writeFileAtomic(stamp, boot);
  await rm(marker, { recursive: true, force: true });
}

/**
 * Mounts overlayfs at `<dir>/rootfs` with a per-container upper and work dir. `lowerdirs` are
 * relative to `lowerRoot` (short `l/` links), which the mount resolves from its working directory.
 * `upperOwner`: the owner of the upper dir, which is the root directory's (a remapped container's root);
 * with `idmapped`, each lower dir is seen through an idmapped mount (see mountIdmappedOverlay).
 * `volatile` is for a root thrown away with its container (`--rm`, as podman does): its unmount then skips
 * syncing the whole upper filesystem, which costs tens of milliseconds on a busy disk. The kernel leaves a
 * marker in the work dir that refuses any later mount; a volatile mount clears the one its predecessor left.
 */
export async function mountOverlayRoot(
  dir: string,
  lowerdirs: string[],
  lowerRoot: string,
  options: { idmapped?: IdmappedLayers; upperOwner?: Owner; volatile?: boolean } = {},
): Promise<string> {
  const paths = containerRootPaths(dir);
  // Commas separate mount options and colons lower dirs: such a path cannot be expressed.
  if (/[,:\\]/.test(paths.rootfs)) throw new InvalidArgumentError(`invalid container directory ${JSON.stringify(dir)}`);
  const overlay = { lowerdirs, upperdir: paths.upper, workdir: paths.work, volatile: options.volatile };
  if (overlayOptions(overlay).length > MAX_MOUNT_OPTIONS) {
    throw new InternalError(`too many layers to mount (${lowerdirs.length})`);
  }
  await mkdir(paths.upper, { recursive: true, mode: 0o755 });
  // The overlay's root directory is the upper dir's: given to the container's root, as dockerd does, once.
  // Still the host's root's when a crash came between the mkdir and the chown: host root is never an owner
  // the container could have set (it is outside the mapping), so a later chown from inside is kept.
  if (options.upperOwner && (await stat(paths.upper)).uid === 0) await chown(paths.upper, options.upperOwner.uid, options.upperOwner.gid);
  await mkdir(paths.work, { recursive: true, mode: 0o700 });
  await mkdir(paths.rootfs, { recursive: true, mode: 0o755 });
  if (await isMountPoint(paths.rootfs)) return paths.rootfs;
  // The marker guards against an upper dir a host crash left inconsistent (a volatile mount never syncs). Only
  // roots thrown away with their container are mounted volatile: AutoRemove ones, which the daemon's restore
  // removes when not running, and a build's step containers, which only a crash mid-build leaves. The marker
  // is cleared within the boot its volatile mount was made in; after a restart of the host, never.
  if (options.volatile) await clearVolatileMarker(dir, join(paths.work, 'work', 'incompat'));
  if (options.idmapped === undefined) {
    const direct = { ...overlay, lowerdirs: lowerdirs.map((l) => resolve(lowerRoot, l)), target: paths.rootfs };
    if (!tryMountOverlay(direct)) await mountOverlay({ ...overlay, target: paths.rootfs, cwd: lowerRoot });
    return paths.rootfs;
  }
  await mountIdmappedOverlay(dir, { ...overlay, lowerdirs: lowerdirs.map((l) => resolve(lowerRoot, l)) }, options.idmapped);
  return paths.rootfs;
}

/**
 * The overlay of a remapped root: each lower dir bind-mounted idmapped at `<dir>/idmapped/<n>` (short
 * names keep the option string under a page), the overlay mounted on them, then the binds detached: the
 * overlay keeps its own private copies of its layers' mounts, so nothing stays attached but the root.
 */
async function mountIdmappedOverlay(dir: string, options: { lowerdirs: string[]; upperdir: string; workdir: string; volatile?: boolean }, idmapped: IdmappedLayers): Promise<void> {
  const base = join(resolve(dir), IDMAPPED_DIR);
  await clearIdmappedDir(base);
  await mkdir(base, { mode: 0o700 });
  const attached: string[] = [];
  try {
    for (const [index, lower] of options.lowerdirs.entries()) {
      const target = join(base, String(index));
      await mkdir(target);
      idmapped.bind(lower, target);
      attached.push(target);
    }
    const lowerdirs = attached.map((_, index) => `${IDMAPPED_DIR}/${index}`);
    await mountOverlay({ ...options, lowerdirs, target: containerRootPaths(dir).rootfs, cwd: resolve(dir) });
  } catch (err) {
    // The mount's own error is the one to report; a bind left attached is detached by the next unmount
    // of this root, and before its dir is ever removed.
    await clearIdmappedDir(base).catch(() => undefined);
    throw err;
  }
  await clearIdmappedDir(base);
}

/**
 * Detaches the binds under `base` (those of an overlay just mounted, or any a crash left attached) and
 * removes their mount points, and `base` with them. Never recursive: a directory still mounted is a
 * layer, and removing its contents would destroy the image.
 */
async function clearIdmappedDir(base: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(base);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await detachMountsUnder(base);
  for (const name of names) await rmdir(join(base, name));
  await rmdir(base);
}

/** Whether the root was mounted volatile: the kernel leaves its marker in the work dir. */
async function isVolatileRoot(dir: string): Promise<boolean> {
  return access(join(containerRootPaths(dir).work, 'work', 'incompat', 'volatile')).then(
    () => true,
    () => false,
  );
}

/**
 * Unmounts `<dir>/rootfs` (detaching lazily if it is busy) and removes the empty mount point, and any
 * idmapped layer a crash left attached in `<dir>`: removing the dir must never reach into a layer.
 */
export async function unmountOverlayRoot(dir: string): Promise<void> {
  await clearIdmappedDir(join(resolve(dir), IDMAPPED_DIR));
  const { rootfs } = containerRootPaths(dir);
  // No mount point, no mount: a stat instead of reading mountinfo, for the many containers that never ran.
  const missing = await access(rootfs).then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
  );
  if (missing) return;
  // A volatile root (see mountOverlayRoot) unmounts without syncing: quick enough for umount2 on libuv's pool,
  // sparing umount(8)'s spawn. Any other syncs the whole upper filesystem, which must not hold a pool thread.
  if (await isVolatileRoot(dir)) await tryUnmount(rootfs);
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
