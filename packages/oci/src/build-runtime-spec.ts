import { resolveCapabilities } from './capabilities.js';
import { defaultDeviceRules, privilegedDeviceRules } from './devices.js';
import { readHostBoundingSet } from './host-capabilities.js';
import { listHostDevices } from './host-devices.js';
import { readHostRlimits, type HostRlimits } from './host-rlimits.js';
import { DEFAULT_READONLY_PATHS, defaultMaskedPaths } from './masked-paths.js';
import {
  DEFAULT_SHM_SIZE,
  INIT_PATH,
  assembleMounts,
  defaultMounts,
  etcFileMounts,
  initMount,
  rootfsPropagation,
  type EtcFiles,
} from './mounts.js';
import { buildNamespaces, ownsNetworkNamespace, type NamespaceModes } from './namespaces.js';
import { cpuResources, memoryResources, pidsResources, type ResourceLimits } from './resources.js';
import { buildRlimits, type Ulimit } from './rlimits.js';
import type { LinuxConfig, LinuxDevice, LinuxIdMapping, LinuxResources, RuntimeMount, RuntimeProcess, RuntimeSpec } from './runtime-spec.js';
import { InvalidArgumentError, type SeccompProfile } from '@berth/api';
import { defaultSeccompProfile, resolveSeccompProfile } from './seccomp.js';
import { DEFAULT_NETWORK_SYSCTLS, validateSysctls } from './sysctls.js';

export const OCI_VERSION = '1.0.2';

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SpecInput {
  /** Absolute path of the mounted rootfs. */
  rootfs: string;
  /** Resolved entrypoint + cmd. */
  args: string[];
  /** Final environment; PATH is added when missing. */
  env: string[];
  /** Working directory; default '/'. */
  cwd?: string;
  /** `additionalGids` as resolved by `resolveUser` (plus `--group-add`); the primary gid is added in front. */
  user: { uid: number; gid: number; additionalGids?: number[] };
  terminal: boolean;
  /** HostConfig.ConsoleSize, `[height, width]`: the terminal's initial size. */
  consoleSize?: readonly number[] | null;
  hostname: string;
  domainname?: string;
  readonlyRootfs?: boolean;
  privileged?: boolean;
  /** 'NET_ADMIN', 'CAP_NET_ADMIN' or 'ALL'. */
  capAdd?: string[];
  capDrop?: string[];
  noNewPrivileges?: boolean;
  /** Docker's default profile, none, or a profile in Docker's format; default 'default'. Privileged containers get none, as in moby. */
  seccomp?: 'default' | 'unconfined' | SeccompProfile;
  /** A loaded AppArmor profile to confine the process with (applied to privileged containers too, as in moby). */
  apparmorProfile?: string;
  namespaces: NamespaceModes;
  /** A user namespace of its own with these maps (the daemon's `--userns-remap`); none: the host's. */
  userNamespace?: { uidMappings: LinuxIdMapping[]; gidMappings: LinuxIdMapping[] };
  /** Host paths bind-mounted over /etc/hosts, /etc/hostname and /etc/resolv.conf. */
  etcFiles: EtcFiles;
  /** Bytes; default 64 MiB. */
  shmSize?: number;
  /** Container path → options such as "size=64m,mode=1777,exec". */
  tmpfs?: Record<string, string>;
  /** Volumes and binds. */
  mounts?: RuntimeMount[];
  ulimits?: Ulimit[];
  resources?: ResourceLimits;
  sysctls?: Record<string, string>;
  /** Paths hidden from / read-only in an unprivileged container instead of Docker's defaults (`--security-opt systempaths=unconfined` gives none). */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** e.g. '/berth/<id>'. */
  cgroupsPath: string;
  /** Runs `hostPath` (tini) as PID 1 in front of the command; only with a private PID namespace, as Docker. */
  init?: { hostPath: string };
  oomScoreAdj?: number;
  annotations?: Record<string, string>;
  /** The engine's own rlimits, which container limits may not exceed; default: read from /proc/self/limits. */
  hostLimits?: HostRlimits;
  /** The engine's bounding set; default: read from /proc/self/status. */
  hostCapabilities?: string[];
  /** Devices a privileged container gets; default: every device under the host's /dev. */
  hostDevices?: LinuxDevice[];
}

/** Docker adds the init only when the container has its own PID namespace, where it would be PID 1. */
function usesInit(input: SpecInput): input is SpecInput & { init: { hostPath: string } } {
  return input.init !== undefined && (input.namespaces.pid ?? 'private') === 'private';
}

function withDefaultPath(env: readonly string[]): string[] {
  return env.some((e) => e.startsWith('PATH=')) ? [...env] : [DEFAULT_PATH_ENV, ...env];
}

function buildProcess(input: SpecInput, capabilities: string[]): RuntimeProcess {
  const { uid, gid, additionalGids = [] } = input.user;
  const process: RuntimeProcess = {
    terminal: input.terminal,
    // Docker lists the primary group among the supplementary ones (CVE-2022-36109 hardening).
    user: { uid, gid, additionalGids: [...new Set([gid, ...additionalGids])] },
    args: usesInit(input) ? [INIT_PATH, '--', ...input.args] : [...input.args],
    env: withDefaultPath(input.env),
    cwd: input.cwd || '/',
    capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
    rlimits: buildRlimits(input.ulimits ?? [], input.hostLimits ?? readHostRlimits()),
  };
  const consoleSize = input.terminal ? consoleBox(input.consoleSize) : undefined;
  if (consoleSize) process.consoleSize = consoleSize;
  if (input.noNewPrivileges) process.noNewPrivileges = true;
  if (input.apparmorProfile) process.apparmorProfile = input.apparmorProfile;
  if (input.oomScoreAdj !== undefined) process.oomScoreAdj = input.oomScoreAdj;
  return process;
}

/** An Engine API console size (`[height, width]`) as the runtime's box; none when unset or either side is 0, which runc would not apply. */
export function consoleBox(size: readonly number[] | null | undefined): RuntimeProcess['consoleSize'] {
  const [height = 0, width = 0] = size ?? [];
  return height > 0 && width > 0 ? { height, width } : undefined;
}

function buildResources(input: SpecInput): LinuxResources {
  const limits = input.resources ?? {};
  const resources: LinuxResources = {
    devices: input.privileged ? privilegedDeviceRules() : defaultDeviceRules(),
  };
  const memory = memoryResources(limits);
  const cpu = cpuResources(limits);
  const pids = pidsResources(limits);
  if (memory) resources.memory = memory;
  if (cpu) resources.cpu = cpu;
  if (pids) resources.pids = pids;
  return resources;
}

function buildSysctls(input: SpecInput): Record<string, string> {
  const sysctls = input.sysctls ?? {};
  validateSysctls(sysctls, {
    hostNetwork: input.namespaces.network === 'host',
    hostIpc: input.namespaces.ipc === 'host',
  });
  if (joinsForeignNetworkNamespace(input)) {
    const net = Object.keys(sysctls).find((key) => key.startsWith('net.'));
    if (net !== undefined) throw new InvalidArgumentError(`sysctl "${net}" cannot be set in a container with a user namespace on a network the engine sets up (--userns-remap): use --userns host`);
    return { ...sysctls };
  }
  const defaults: Record<string, string> = ownsNetworkNamespace(input.namespaces.network) ? { ...DEFAULT_NETWORK_SYSCTLS } : {};
  // The kernel takes only mapped groups in a user namespace: moby leaves ping sockets out there.
  if (input.userNamespace) delete defaults['net.ipv4.ping_group_range'];
  return { ...defaults, ...sysctls };
}

/**
 * A container with a user namespace of its own joining a network namespace made beforehand (set up by the
 * engine before the task starts, so owned by the host's user namespace): inside, it may neither mount sysfs
 * nor write the network's sysctls.
 */
function joinsForeignNetworkNamespace(input: SpecInput): boolean {
  return input.userNamespace !== undefined && typeof input.namespaces.network === 'object';
}

/** sysfs can be mounted only by the network namespace's owner: such a container gets the host's /sys bound read-only instead, as podman does. */
function sysfsThroughBind(mounts: RuntimeMount[]): RuntimeMount[] {
  return mounts.map((m) => (m.destination === '/sys' && m.type === 'sysfs' ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'rro'] } : m));
}

function buildMounts(input: SpecInput): RuntimeMount[] {
  const mounts = assembleDefaultAndExtraMounts(input);
  return joinsForeignNetworkNamespace(input) ? sysfsThroughBind(mounts) : mounts;
}

function assembleDefaultAndExtraMounts(input: SpecInput): RuntimeMount[] {
  const privileged = input.privileged ?? false;
  return assembleMounts({
    defaults: defaultMounts({
      privileged,
      hostIpc: input.namespaces.ipc === 'host',
      shmSize: input.shmSize ?? DEFAULT_SHM_SIZE,
    }),
    init: usesInit(input) ? initMount(input.init.hostPath) : undefined,
    etcFiles: etcFileMounts(input.etcFiles, input.readonlyRootfs ?? false),
    tmpfs: input.tmpfs,
    extra: input.mounts,
  });
}

/**
 * Builds a container's OCI runtime config the way moby's createSpec does, adjusted to what this
 * engine's host permits: rlimits stay within the engine's own, and "all capabilities" means the
 * engine's bounding set.
 */
export function buildRuntimeSpec(input: SpecInput): RuntimeSpec {
  const privileged = input.privileged ?? false;
  const capabilities = resolveCapabilities({
    privileged,
    capAdd: input.capAdd,
    capDrop: input.capDrop,
    available: input.hostCapabilities ?? readHostBoundingSet(),
  });

  const linux: LinuxConfig = {
    namespaces: buildNamespaces(input.namespaces),
    cgroupsPath: input.cgroupsPath,
    resources: buildResources(input),
  };
  if (input.userNamespace) {
    linux.namespaces.push({ type: 'user' });
    linux.uidMappings = input.userNamespace.uidMappings.map((m) => ({ ...m }));
    linux.gidMappings = input.userNamespace.gidMappings.map((m) => ({ ...m }));
  }
  const sysctls = buildSysctls(input);
  if (Object.keys(sysctls).length > 0) linux.sysctl = sysctls;
  if (privileged) {
    const devices = input.hostDevices ?? listHostDevices();
    if (devices.length > 0) linux.devices = devices;
  } else {
    linux.maskedPaths = input.maskedPaths ? [...input.maskedPaths] : defaultMaskedPaths();
    linux.readonlyPaths = input.readonlyPaths ? [...input.readonlyPaths] : [...DEFAULT_READONLY_PATHS];
    const seccomp = input.seccomp ?? 'default';
    if (seccomp === 'default') linux.seccomp = defaultSeccompProfile({ capabilities });
    else if (seccomp !== 'unconfined') linux.seccomp = resolveSeccompProfile(seccomp, { capabilities });
  }

  const mounts = buildMounts(input);
  linux.rootfsPropagation = rootfsPropagation(mounts);
  const spec: RuntimeSpec = {
    ociVersion: OCI_VERSION,
    process: buildProcess(input, capabilities),
    root: { path: input.rootfs, readonly: input.readonlyRootfs ?? false },
    mounts,
    linux,
  };
  // runc refuses a hostname without a UTS namespace of the container's own.
  if ((input.namespaces.uts ?? 'private') !== 'host') {
    spec.hostname = input.hostname;
    if (input.domainname) {
      spec.domainname = input.domainname;
      // Runtimes before the OCI domainname field (runc < 1.2) ignore it; this sysctl has the same effect (moby sets both).
      linux.sysctl = { ...linux.sysctl, 'kernel.domainname': input.domainname };
    }
  }
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}
