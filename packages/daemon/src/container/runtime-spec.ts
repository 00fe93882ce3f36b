import {
  DEFAULT_PATH_ENV,
  buildRuntimeSpec,
  type NetworkMode,
  type RuntimeMount,
  type RuntimeSpec,
  type SpecInput,
} from '@berth/oci';
import type { IdMappings } from '@berth/layer';
import type { HostSecurityModules } from '../ports.js';
import type { ContainerRecord } from './record.js';
import type { EtcFiles } from './etc-paths.js';
import { replaceOrAppendEnv } from './env.js';
import { namespaceModes } from './namespace-modes.js';
import { parseSecurityOptions } from './security-options.js';

/** The process environment Docker gives a container: its Env over the defaults PATH, HOSTNAME, with a TTY TERM, and its links'. */
function processEnv(c: ContainerRecord, linkEnv: readonly string[]): string[] {
  const defaults = [DEFAULT_PATH_ENV, `HOSTNAME=${c.config.Hostname}`, ...(c.config.Tty ? ['TERM=xterm'] : []), ...linkEnv];
  return replaceOrAppendEnv(defaults, c.config.Env ?? []);
}

export interface ContainerSpecContext {
  rootfs: string;
  etc: EtcFiles;
  initPath?: string;
  /** Volume, bind and `--mount` tmpfs mounts, destinations relative to the container's root. */
  mounts?: RuntimeMount[];
  /** The network namespace the network service gave it; default: the host's for `--network host`, else a new empty one. */
  network?: NetworkMode;
  /** What the host offers `--security-opt` (AppArmor, SELinux). */
  securityModules: HostSecurityModules;
  /** The environment of its legacy links. */
  linkEnv?: readonly string[];
  /** Its user namespace's mapping (the daemon's `--userns-remap`); none: the host's user namespace. */
  userNamespace?: IdMappings;
}

/** The container's runtime spec, its user already resolved in its root filesystem. */
export function buildContainerSpec(c: ContainerRecord, ctx: ContainerSpecContext, user: SpecInput['user']): RuntimeSpec {
  return buildRuntimeSpec(containerSpecInput(c, ctx, user));
}

/** The runtime spec generator's input for a container; pure, so create can validate with it before any rootfs exists. */
export function containerSpecInput(c: ContainerRecord, ctx: ContainerSpecContext, user: SpecInput['user']): SpecInput {
  const hc = c.hostConfig;
  const security = parseSecurityOptions(hc.SecurityOpt ?? [], ctx.securityModules);
  return {
    rootfs: ctx.rootfs,
    args: [c.path, ...c.args],
    env: processEnv(c, ctx.linkEnv ?? []),
    cwd: c.config.WorkingDir || '/',
    user,
    terminal: c.config.Tty ?? false,
    consoleSize: hc.ConsoleSize,
    hostname: c.config.Hostname ?? c.id.slice(0, 12),
    domainname: c.config.Domainname || undefined,
    readonlyRootfs: hc.ReadonlyRootfs ?? false,
    privileged: hc.Privileged ?? false,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    noNewPrivileges: security.noNewPrivileges,
    maskedPaths: hc.MaskedPaths ?? undefined,
    readonlyPaths: hc.ReadonlyPaths ?? undefined,
    seccomp: security.seccomp,
    apparmorProfile: security.apparmorProfile,
    namespaces: { network: ctx.network ?? (hc.NetworkMode === 'host' ? 'host' : 'none'), ...namespaceModes(hc) },
    userNamespace: ctx.userNamespace ? { uidMappings: ctx.userNamespace.uids, gidMappings: ctx.userNamespace.gids } : undefined,
    etcFiles: { hosts: ctx.etc.hosts, hostname: ctx.etc.hostname, resolvConf: ctx.etc.resolvConf },
    shmSize: hc.ShmSize || undefined,
    tmpfs: hc.Tmpfs ?? undefined,
    mounts: ctx.mounts,
    ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    resources: {
      memory: hc.Memory || undefined,
      memorySwap: hc.MemorySwap || undefined,
      cpuShares: hc.CpuShares || undefined,
      cpuQuota: hc.CpuQuota || undefined,
      cpuPeriod: hc.CpuPeriod || undefined,
      nanoCpus: hc.NanoCpus || undefined,
      pidsLimit: hc.PidsLimit && hc.PidsLimit > 0 ? hc.PidsLimit : undefined,
    },
    sysctls: hc.Sysctls ?? undefined,
    cgroupsPath: `/berth/${c.id}`,
    init: hc.Init && ctx.initPath ? { hostPath: ctx.initPath } : undefined,
    oomScoreAdj: hc.OomScoreAdj || undefined,
    annotations: hc.Annotations ?? undefined,
  };
}
