import { join } from 'node:path';

/** The host files bind-mounted over a container's /etc/hostname, /etc/hosts and /etc/resolv.conf. */
export interface EtcFiles {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export function etcFilePaths(containerDir: string): EtcFiles {
  return { hostname: join(containerDir, 'hostname'), hosts: join(containerDir, 'hosts'), resolvConf: join(containerDir, 'resolv.conf') };
}
