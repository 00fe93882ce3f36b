import { readFileInRoot } from '@berth/layer';
import { buildRuntimeSpec, resolveUser, type RuntimeMount, type RuntimeSpec, type SpecInput } from '@berth/oci';
import type { ContainerRecord } from './record.js';
import type { EtcFiles } from './etc-files.js';
import { hostSecurityModules, type HostSecurityModules } from './host-security.js';
import { parseSecurityOptions } from './security-options.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `user` (`-u`) resolved with the passwd and group files of a root filesystem, read without letting its symlinks reach host files. */
export async function resolveUserInRoot(rootfs: string, user: string): Promise<ReturnType<typeof resolveUser>> {
  const read = async (path: string): Promise<string> => (await readFileInRoot(rootfs, path)) ?? '';
  return resolveUser(user, await read('/etc/passwd'), await read('/etc/group'));
}

/** The process environment Docker gives a container: PATH if unset, HOSTNAME, TERM for a TTY. */
function processEnv(c: ContainerRecord): string[] {
  const env = [...(c.config.Env ?? [])];
  const has = (key: string) => env.some((e) => e.startsWith(`${key}=`));
  if (!has('PATH')) env.unshift(DEFAULT_PATH);
  if (!has('HOSTNAME')) env.push(`HOSTNAME=${c.config.Hostname}`);
  if (c.config.Tty && !has('TERM')) env.push('TERM=xterm');
  return env;
}

export interface ContainerSpecContext {
  rootfs: string;
  etc: EtcFiles;
  initPath?: string;
  /** Volume, bind and `--mount` tmpfs mounts, destinations relative to the container's root. */
  mounts?: RuntimeMount[];
  /** Default: this host's. */
  securityModules?: HostSecurityModules;
}

export async function buildContainerSpec(c: ContainerRecord, ctx: ContainerSpecContext): Promise<RuntimeSpec> {
  return buildRuntimeSpec(containerSpecInput(c, ctx, await resolveUserInRoot(ctx.rootfs, c.config.User ?? '')));
}

/** The runtime spec generator's input for a container; pure, so create can validate with it before any rootfs exists. */
export function containerSpecInput(c: ContainerRecord, ctx: ContainerSpecContext, user: SpecInput['user']): SpecInput {
  const hc = c.hostConfig;
  const security = parseSecurityOptions(hc.SecurityOpt ?? [], ctx.securityModules ?? hostSecurityModules);
  return {
    rootfs: ctx.rootfs,
    args: [c.path, ...c.args],
    env: processEnv(c),
    cwd: c.config.WorkingDir || '/',
    user,
    terminal: c.config.Tty ?? false,
    hostname: c.config.Hostname ?? c.id.slice(0, 12),
    domainname: c.config.Domainname || undefined,
    readonlyRootfs: hc.ReadonlyRootfs ?? false,
    privileged: hc.Privileged ?? false,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    noNewPrivileges: security.noNewPrivileges,
    seccomp: security.seccomp,
    apparmorProfile: security.apparmorProfile,
    namespaces: { network: hc.NetworkMode === 'host' ? 'host' : 'none' },
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
  };
}
