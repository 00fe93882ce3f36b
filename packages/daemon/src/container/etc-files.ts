import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@berth/layer';

export interface EtcFiles {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export function etcFilePaths(containerDir: string): EtcFiles {
  return { hostname: join(containerDir, 'hostname'), hosts: join(containerDir, 'hosts'), resolvConf: join(containerDir, 'resolv.conf') };
}

/** The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf that get bind-mounted in. */
export async function writeEtcFiles(containerDir: string, hostname: string, extraHosts: string[] = []): Promise<EtcFiles> {
  const paths = etcFilePaths(containerDir);
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
  await writeFileAtomic(paths.hostname, `${hostname}\n`, 0o644);
  await writeFileAtomic(paths.hosts, `${hosts.join('\n')}\n`, 0o644);
  await writeFileAtomic(paths.resolvConf, await hostResolvConf(), 0o644);
  return paths;
}

async function hostResolvConf(): Promise<string> {
  try {
    return await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}
