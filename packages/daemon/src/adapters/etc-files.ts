import { readFile } from 'node:fs/promises';
import type { HostConfig } from '@berth/api';
import { writeFileAtomic } from '@berth/layer';
import { containerResolvConf } from '../container/resolv-conf.js';
import { etcFilePaths, type EtcFiles } from '../container/etc-paths.js';

function generatedHosts(extraHosts: readonly string[]): string {
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::\tip6-localnet',
    'ff00::\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    ...extraHosts.map((entry) => {
      const [name, address] = entry.split(/:(.*)/s);
      return `${address}\t${name}`;
    }),
  ];
  return `${hosts.join('\n')}\n`;
}

/**
 * The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf that get bind-mounted in. Under host
 * networking the container gets the host's /etc/hosts (unless it adds hosts) as with Docker.
 */
export async function writeEtcFiles(containerDir: string, hostname: string, hc: HostConfig): Promise<EtcFiles> {
  const paths = etcFilePaths(containerDir);
  const hostNetwork = hc.NetworkMode === 'host';
  const extraHosts = hc.ExtraHosts ?? [];
  const hosts = hostNetwork && extraHosts.length === 0 ? await hostFile('/etc/hosts') : generatedHosts(extraHosts);
  const dns = { nameservers: hc.Dns ?? [], search: hc.DnsSearch ?? [], options: hc.DnsOptions ?? [] };
  await writeFileAtomic(paths.hostname, `${hostname}\n`, 0o644);
  await writeFileAtomic(paths.hosts, hosts, 0o644);
  await writeFileAtomic(paths.resolvConf, containerResolvConf(await hostFile('/etc/resolv.conf'), dns, hostNetwork), 0o644);
  return paths;
}

async function hostFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}
