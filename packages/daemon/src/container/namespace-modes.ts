import { InvalidArgumentError, type HostConfig } from '@berth/api';
import type { NamespaceModes } from '@berth/oci';

type Shared = 'host' | 'private';

/**
 * One `--ipc`/`--pid`/`--uts` value: the host's namespace or a new one. Joining another container's
 * namespace (`container:<name>`) and `--ipc none` are refused rather than given a private namespace.
 */
function hostOrPrivate(value: string | undefined, flag: string, kind: string, privateNames: readonly string[] = []): Shared {
  const mode = value ?? '';
  if (mode === 'host') return 'host';
  if (mode === '' || privateNames.includes(mode)) return 'private';
  if (mode.startsWith('container:') || (kind === 'IPC' && mode === 'none')) {
    throw new InvalidArgumentError(`berth does not support ${flag} ${mode} yet`);
  }
  throw new InvalidArgumentError(`invalid ${kind} mode: ${mode}`);
}

/** `--cgroupns`: Docker's default on this engine's cgroup v1 hosts is the host's namespace. */
function cgroupnsMode(value: string | undefined): Shared {
  if (value === undefined || value === '' || value === 'host') return 'host';
  if (value === 'private') return 'private';
  throw new InvalidArgumentError(`invalid cgroup namespace mode: ${value}`);
}

/** `--userns`: '' is the daemon's choice (its `--userns-remap` namespace, else the host's), 'host' the host's. */
function checkUsernsMode(value: string | undefined): void {
  if (value === undefined || value === '' || value === 'host') return;
  if (value === 'private') throw new InvalidArgumentError('berth does not support --userns private yet (containers get a user namespace from the daemon --userns-remap)');
  throw new InvalidArgumentError(`invalid USER mode: ${value}`);
}

/**
 * dockerd's refusals for a container that would get the daemon's user namespace (`--userns-remap`, and
 * no `--userns host`): privileged mode, and the host's network or PID namespace.
 */
export function checkUserNamespaceConflicts(hc: HostConfig, daemonRemaps: boolean): void {
  if (!daemonRemaps || hc.UsernsMode === 'host') return;
  if (hc.Privileged) throw new InvalidArgumentError('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
  if (hc.NetworkMode === 'host') throw new InvalidArgumentError("cannot share the host's network namespace when user namespaces are enabled");
  if (hc.PidMode === 'host') throw new InvalidArgumentError('cannot share the host PID namespace when user namespaces are enabled');
}

/** The IPC, PID, UTS and cgroup namespaces a container's HostConfig asks for, with moby's checks. */
export function namespaceModes(hc: HostConfig): Omit<NamespaceModes, 'network'> {
  checkUsernsMode(hc.UsernsMode);
  return {
    ipc: hostOrPrivate(hc.IpcMode, '--ipc', 'IPC', ['private', 'shareable']),
    pid: hostOrPrivate(hc.PidMode, '--pid', 'PID'),
    uts: hostOrPrivate(hc.UTSMode, '--uts', 'UTS'),
    cgroup: cgroupnsMode(hc.CgroupnsMode),
  };
}
