import { InvalidArgumentError } from '@berth/api';
import type { RuntimeMount } from './runtime-spec.js';
import { tmpfsMount } from './tmpfs.js';

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Where `--init` puts its binary inside the container (Docker's path). */
export const INIT_PATH = '/sbin/docker-init';

export interface DefaultMountOptions {
  privileged: boolean;
  hostIpc: boolean;
  shmSize: number;
}

/** Docker's default mounts, in Docker's order. */
export function defaultMounts(options: DefaultMountOptions): RuntimeMount[] {
  // A privileged container may write to /sys and its cgroups, as with Docker.
  const ro = options.privileged ? [] : ['ro'];
  const shm: RuntimeMount = options.hostIpc
    ? { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] }
    : {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${options.shmSize}`],
      };
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...ro, 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    shm,
  ];
}

export interface EtcFiles {
  hosts?: string;
  hostname?: string;
  resolvConf?: string;
}

/** The engine-managed /etc files, bind-mounted in Docker's order; read-only along with a read-only rootfs. */
export function etcFileMounts(files: EtcFiles, readonlyRootfs: boolean): RuntimeMount[] {
  const entries: [string, string | undefined][] = [
    ['/etc/resolv.conf', files.resolvConf],
    ['/etc/hostname', files.hostname],
    ['/etc/hosts', files.hosts],
  ];
  return entries.flatMap(([destination, source]) =>
    source === undefined
      ? []
      : [{ destination, type: 'bind', source, options: ['rbind', ...(readonlyRootfs ? ['ro'] : []), 'rprivate'] }],
  );
}

export function initMount(hostPath: string): RuntimeMount {
  return { destination: INIT_PATH, type: 'bind', source: hostPath, options: ['bind', 'ro'] };
}

function depth(destination: string): number {
  return destination.split('/').filter((part) => part !== '').length;
}

function normalizeDestination(destination: string): string {
  return destination.length > 1 ? destination.replace(/\/+$/, '') : destination;
}

export interface MountPlan {
  defaults: RuntimeMount[];
  init?: RuntimeMount;
  etcFiles: RuntimeMount[];
  tmpfs?: Record<string, string>;
  extra?: readonly RuntimeMount[];
}

/**
 * Final mount list: defaults that no user mount replaces (a mount on /dev replaces /dev/*), the init
 * binary, then the user's mounts ordered parents-first (stable) so that /a is mounted before /a/b.
 * The engine's /etc files give way to user mounts on the same path, as in Docker.
 */
export function assembleMounts(plan: MountPlan): RuntimeMount[] {
  const user: RuntimeMount[] = [
    ...(plan.extra ?? []),
    ...Object.entries(plan.tmpfs ?? {}).map(([destination, data]) => tmpfsMount(destination, data)),
  ];
  const userDestinations = new Set<string>();
  for (const mount of user) {
    const destination = normalizeDestination(mount.destination);
    if (userDestinations.has(destination)) throw new InvalidArgumentError(`Duplicate mount point: ${destination}`);
    userDestinations.add(destination);
  }
  user.push(...plan.etcFiles.filter((m) => !userDestinations.has(m.destination)));
  const replacesDev = userDestinations.has('/dev');
  const defaults = plan.defaults.filter(
    (m) => !userDestinations.has(m.destination) && !(replacesDev && m.destination.startsWith('/dev/')),
  );
  // Array.prototype.sort is stable, so mounts at the same depth keep the caller's order.
  const ordered = user.sort((a, b) => depth(a.destination) - depth(b.destination));
  return [...defaults, ...(plan.init ? [plan.init] : []), ...ordered];
}

/**
 * The rootfs propagation moby asks for: shared when a bind is (r)shared, so its mounts reach the host
 * (the root only: rshared would put every other mount of the container, its cgroup mounts too, in a peer
 * group); else rslave, runc's own default, stated so that crun (whose default is rprivate) also lets host
 * mounts made after the start reach (r)slave binds.
 */
export function rootfsPropagation(mounts: readonly RuntimeMount[]): 'shared' | 'rslave' {
  return mounts.some((m) => m.options?.some((o) => o === 'shared' || o === 'rshared')) ? 'shared' : 'rslave';
}
