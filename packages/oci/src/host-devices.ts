import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxDevice } from './runtime-spec.js';

/** Directories under /dev that hold per-mount or per-process entries, not host devices. */
const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

function major(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}

function minor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}

/** Every character and block device under `root` (a privileged container gets them all). */
export function listHostDevices(root = '/dev'): LinuxDevice[] {
  const devices: LinuxDevice[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    let stat;
    try {
      stat = lstatSync(path, { bigint: true });
    } catch {
      continue; // vanished while listing
    }
    if (stat.isDirectory()) {
      if (!SKIPPED_DIRS.has(name)) devices.push(...listHostDevices(path));
      continue;
    }
    if (path === '/dev/console') continue; // runc sets up the console itself
    const type = stat.isCharacterDevice() ? 'c' : stat.isBlockDevice() ? 'b' : undefined;
    if (!type) continue;
    devices.push({
      path,
      type,
      major: major(stat.rdev),
      minor: minor(stat.rdev),
      fileMode: Number(stat.mode & 0o777n),
      uid: Number(stat.uid),
      gid: Number(stat.gid),
    });
  }
  return devices;
}
