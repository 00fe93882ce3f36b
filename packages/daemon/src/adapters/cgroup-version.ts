import { statfsSync } from 'node:fs';

export type CgroupVersion = 1 | 2;

/** The cgroup2 filesystem's magic number (statfs f_type), from linux/magic.h. */
export const CGROUP2_SUPER_MAGIC = 0x63677270;

/**
 * The cgroup version from the type of the filesystem at /sys/fs/cgroup, as moby decides it: 2 only in
 * unified mode, where that is the cgroup2 mount itself. A hybrid host (v1 controllers on a tmpfs,
 * cgroup2 at /sys/fs/cgroup/unified) and a host without the mount are 1.
 */
export function cgroupVersionOf(cgroupRootType: number | undefined): CgroupVersion {
  return cgroupRootType === CGROUP2_SUPER_MAGIC ? 2 : 1;
}

export function detectCgroupVersion(cgroupRoot = '/sys/fs/cgroup'): CgroupVersion {
  let type: number | undefined;
  try {
    type = statfsSync(cgroupRoot).type;
  } catch {
    type = undefined;
  }
  return cgroupVersionOf(type);
}

let hostVersion: CgroupVersion | undefined;

/** This host's version, detected once: the mount layout does not change while the daemon runs (as moby). */
export function hostCgroupVersion(): CgroupVersion {
  return (hostVersion ??= detectCgroupVersion());
}
