import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { HostFacts } from '../ports.js';
import { hostCgroupVersion } from './cgroup-version.js';
import { hostSecurityModules } from './host-security.js';

/** This host's facts, read from Node's `os`, /proc, /sys/fs/cgroup and securityfs. */
export function hostFacts(): HostFacts {
  return {
    kernelVersion: () => os.release(),
    architecture: () => os.machine(),
    hostname: () => os.hostname(),
    memTotal: () => os.totalmem(),
    cpuCount: () => os.cpus().length,
    cgroupVersion: hostCgroupVersion,
    securityModules: () => ({ apparmor: hostSecurityModules.apparmor, selinux: hostSecurityModules.selinux }),
    openFiles: async () => (await readdir('/proc/self/fd')).length,
    threadCount: async () => {
      const status = await readFile('/proc/self/status', 'utf8');
      return Number(/^Threads:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    },
    networkSwitches: async () => {
      const on = async (path: string) => (await readFile(path, 'utf8').catch(() => '0')).trim() === '1';
      return {
        ipv4Forwarding: await on('/proc/sys/net/ipv4/ip_forward'),
        bridgeNfIptables: await on('/proc/sys/net/bridge/bridge-nf-call-iptables'),
        bridgeNfIp6tables: await on('/proc/sys/net/bridge/bridge-nf-call-ip6tables'),
      };
    },
  };
}
