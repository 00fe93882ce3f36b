import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, type HostConfig } from '@berth/api';
import { collect } from './repeatable-flags.js';
import { checked } from './resource-flags.js';
import { systemMessage } from './go-errors.js';

/** The run/create flags for privileges, capabilities, namespaces and the runtime. */
export interface SecurityFlags {
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  readOnly?: boolean;
  groupAdd?: string[];
  sysctl?: string[];
  pid?: string;
  ipc?: string;
  uts?: string;
  userns?: string;
  cgroupns?: string;
  isolation?: string;
  runtime?: string;
  init?: boolean;
}

const CGROUPNS_USAGE = `Cgroup namespace to use (host|private)
'host':    Run the container in the Docker host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the cgroup namespace as configured by the
           default-cgroupns-mode option on the daemon (default)`;

export function withSecurityOptions(command: Command): Command {
  return command
    .option('--cap-add <list>', 'Add Linux capabilities', collect, [])
    .option('--cap-drop <list>', 'Drop Linux capabilities', collect, [])
    .option('--cgroupns <string>', CGROUPNS_USAGE)
    .option('--group-add <list>', 'Add additional groups to join', collect, [])
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('--ipc <string>', 'IPC mode to use')
    .option('--isolation <string>', 'Container isolation technology')
    .option('--pid <string>', 'PID namespace to use')
    .option('--privileged', 'Give extended privileges to this container')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--runtime <string>', 'Runtime to use for this container')
    .option('--security-opt <list>', 'Security Options', collect, [])
    .option('--sysctl <map>', 'Sysctl options (default map[])', collect, [])
    .option('--userns <string>', 'User namespace to use')
    .option('--uts <string>', 'UTS namespace to use');
}

/** The docker client's normalizeCapabilities: upper case, `CAP_` prefixed (but ALL), deduplicated, sorted. */
export function normalizeCapabilities(caps: string[]): string[] | null {
  const normalized = [...new Set(caps.map((cap) => {
    const upper = cap.toUpperCase();
    return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  }))].sort();
  return normalized.length ? normalized : null;
}

const NAMESPACED_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** docker/cli opts.ValidateSysctl: the namespaced sysctls a container may set. */
export function validateSysctl(text: string): [string, string] {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq);
  if (key === '' || !(NAMESPACED_SYSCTLS.has(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) throw new Error(`sysctl '${text}' is not allowed`);
  return [key, text.slice(eq + 1)];
}

/**
 * docker/cli parseSecurityOpts and parseSystemPaths: `key=value` (or `key:value`), `no-new-privileges` alone; a
 * seccomp profile file is read and sent compacted; `systempaths=unconfined` is the client's, sent as empty
 * MaskedPaths and ReadonlyPaths.
 */
export function parseSecurityOpts(opts: string[]): Pick<HostConfig, 'SecurityOpt' | 'MaskedPaths' | 'ReadonlyPaths'> {
  const sent: string[] = [];
  let unconfinedPaths = false;
  for (const opt of opts) {
    const sep = opt.includes('=') || opt === 'no-new-privileges' ? opt.indexOf('=') : opt.indexOf(':');
    const key = sep < 0 ? opt : opt.slice(0, sep);
    const value = sep < 0 ? '' : opt.slice(sep + 1);
    if (key !== 'no-new-privileges' && value === '') throw new InvalidArgumentError(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (opt === 'systempaths=unconfined') {
      unconfinedPaths = true;
      continue;
    }
    sent.push(key === 'seccomp' && value !== 'builtin' && value !== 'unconfined' ? `seccomp=${seccompProfile(value)}` : opt);
  }
  return {
    SecurityOpt: sent.length ? sent : null,
    MaskedPaths: unconfinedPaths ? [] : null,
    ReadonlyPaths: unconfinedPaths ? [] : null,
  };
}

/**
 * A seccomp profile file as docker sends it: its JSON compacted as Go's json.Compact does, whitespace between tokens
 * dropped and every token kept as written (a reparse would round 64-bit argument values).
 */
function seccompProfile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`opening seccomp profile (${file}) failed: open ${file}: ${systemMessage(err)}`);
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`compacting json for seccomp profile (${file}) failed: ${(err as Error).message}`);
  }
  return compactJson(text);
}

/** Valid JSON without the whitespace outside its strings. */
export function compactJson(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_, string: string | undefined) => string ?? '');
}

/** `container:<name>` with a name. */
const isContainerMode = (mode: string) => mode.startsWith('container:') && mode.length > 'container:'.length;

/** docker/cli's checks of the namespace modes, with its messages. */
function checkNamespaces(flags: SecurityFlags): void {
  if (!['', 'host'].includes(flags.pid ?? '') && !isContainerMode(flags.pid!)) throw new InvalidArgumentError('--pid: invalid PID mode');
  if (!['', 'host'].includes(flags.uts ?? '')) throw new InvalidArgumentError('--uts: invalid UTS mode');
  if (!['', 'host'].includes(flags.userns ?? '')) throw new InvalidArgumentError('--userns: invalid USER mode');
  if (!['', 'host', 'private'].includes(flags.cgroupns ?? '')) throw new InvalidArgumentError('--cgroupns: invalid CGROUP mode');
}

/** The privilege, namespace and runtime fields of the HostConfig docker/cli sends for these flags. */
export function securityConfig(flags: SecurityFlags): HostConfig {
  checkNamespaces(flags);
  const sysctls = checked('--sysctl', flags.sysctl ?? [], validateSysctl);
  return {
    CapAdd: normalizeCapabilities(flags.capAdd ?? []),
    CapDrop: normalizeCapabilities(flags.capDrop ?? []),
    CgroupnsMode: flags.cgroupns ?? '',
    GroupAdd: flags.groupAdd?.length ? flags.groupAdd : null,
    IpcMode: flags.ipc ?? '',
    PidMode: flags.pid ?? '',
    Privileged: Boolean(flags.privileged),
    ReadonlyRootfs: Boolean(flags.readOnly),
    ...parseSecurityOpts(flags.securityOpt ?? []),
    UTSMode: flags.uts ?? '',
    UsernsMode: flags.userns ?? '',
    ...(sysctls.length ? { Sysctls: Object.fromEntries(sysctls) } : {}),
    ...(flags.runtime ? { Runtime: flags.runtime } : {}),
    Isolation: flags.isolation ?? '',
    // Only a given --init is sent, so that the daemon's default applies otherwise.
    ...(flags.init !== undefined ? { Init: flags.init } : {}),
  };
}
