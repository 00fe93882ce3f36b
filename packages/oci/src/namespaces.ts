import type { LinuxNamespace, NamespaceType } from './runtime-spec.js';

/** 'private': a new namespace; 'host': the engine's own (no entry); `{ path }`: join an existing one. */
export type NamespaceMode = 'private' | 'host' | { path: string };

/**
 * 'none' is a new, empty network namespace. `fromContainer` marks a namespace owned by another
 * container (`--network container:<id>`), which this container must not reconfigure.
 */
export type NetworkMode = 'none' | 'host' | { path: string; fromContainer?: boolean };

export interface NamespaceModes {
  network: NetworkMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  uts?: NamespaceMode;
  /** Docker's default on cgroup v1 hosts is the host's cgroup namespace. */
  cgroup?: NamespaceMode;
}

function entry(type: NamespaceType, mode: NamespaceMode): LinuxNamespace[] {
  if (mode === 'host') return [];
  return mode === 'private' ? [{ type }] : [{ type, path: mode.path }];
}

/** Namespaces in Docker's order (time namespaces are left out: runc 1.1 cannot create them). */
export function buildNamespaces(modes: NamespaceModes): LinuxNamespace[] {
  const network: NamespaceMode = modes.network === 'none' ? 'private' : modes.network;
  return [
    { type: 'mount' },
    ...entry('network', network),
    ...entry('uts', modes.uts ?? 'private'),
    ...entry('pid', modes.pid ?? 'private'),
    ...entry('ipc', modes.ipc ?? 'private'),
    ...entry('cgroup', modes.cgroup ?? 'host'),
  ];
}

/** True when the container has a network namespace of its own to configure. */
export function ownsNetworkNamespace(network: NetworkMode): boolean {
  return network === 'none' || (typeof network === 'object' && !network.fromContainer);
}
