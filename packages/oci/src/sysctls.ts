import { InvalidArgumentError } from '@berth/api';

const IPC_SYSCTLS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax',
  'kernel.shmmni', 'kernel.shm_rmid_forced',
]);

function isIpcSysctl(key: string): boolean {
  return IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.');
}

export interface SysctlNamespaces {
  hostNetwork: boolean;
  hostIpc: boolean;
}

/**
 * Accepts only sysctls that live in a namespace the container owns (Docker's allow-list: net.*,
 * the IPC ones, fs.mqueue.*), so a container can never change a host-wide kernel setting.
 */
export function validateSysctls(sysctls: Record<string, string>, namespaces: SysctlNamespaces): void {
  for (const [key, value] of Object.entries(sysctls)) {
    if (key.startsWith('net.')) {
      if (namespaces.hostNetwork) {
        throw new InvalidArgumentError(`sysctl "${key}" is not allowed in the hosts network namespace`);
      }
    } else if (isIpcSysctl(key)) {
      if (namespaces.hostIpc) throw new InvalidArgumentError(`sysctl "${key}" is not allowed in the hosts ipc namespace`);
    } else {
      throw new InvalidArgumentError(`sysctl '${key}=${value}' is not allowed`);
    }
  }
}

/**
 * Docker's defaults for a network namespace the container owns: unprivileged ICMP echo sockets
 * (ping without CAP_NET_RAW) and binding ports below 1024 without CAP_NET_BIND_SERVICE.
 */
export const DEFAULT_NETWORK_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ping_group_range': '0 2147483647',
  'net.ipv4.ip_unprivileged_port_start': '0',
};
