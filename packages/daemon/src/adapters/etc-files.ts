import { chown, readFile } from 'node:fs/promises';
import { InvalidArgumentError, type HostConfig } from '@berth/api';
import { replaceFile, type Owner } from '@berth/layer';
import { containerResolvConf, embeddedResolvConf } from '../container/resolv-conf.js';
import type { TaskNetwork } from '../ports.js';
import { etcFilePaths, type EtcFiles } from '../container/etc-paths.js';

/** `--add-host name:host-gateway` stands for the default bridge's gateway, as with Docker. */
function extraHostLine(entry: string, hostGateway: string | undefined): string {
  const [name, address = ''] = entry.split(/:(.*)/s);
  if (address !== 'host-gateway') return `${address}\t${name}`;
  if (!hostGateway) throw new InvalidArgumentError('unable to derive the IP value for host-gateway: there is no default bridge network (--bridge=none)');
  return `${hostGateway}\t${name}`;
}

function generatedHosts(extraHosts: readonly string[], links: readonly string[], own: readonly string[], hostGateway: string | undefined): string {
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::\tip6-localnet',
    'ff00::\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    ...extraHosts.map((entry) => extraHostLine(entry, hostGateway)),
    ...links,
    ...own,
  ];
  return `${hosts.join('\n')}\n`;
}

/**
 * The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf that get bind-mounted in. Under host
 * networking the container gets the host's /etc/hosts (unless it adds hosts) as with Docker; otherwise
 * its own addresses map to its hostname (and `hostname.domainname`).
 */
export async function writeEtcFiles(containerDir: string, names: { hostname: string; domainname?: string }, hc: HostConfig, network: Omit<TaskNetwork, 'namespace'>, owner?: Owner): Promise<EtcFiles> {
  const paths = etcFilePaths(containerDir);
  const hostNetwork = hc.NetworkMode === 'host';
  const extraHosts = hc.ExtraHosts ?? [];
  const { hostname, domainname } = names;
  const aliases = domainname ? `${hostname}.${domainname} ${hostname}` : hostname;
  const own = network.addresses.map((address) => `${address}\t${aliases}`);
  const hosts = hostNetwork && extraHosts.length === 0 ? await hostFile('/etc/hosts') : generatedHosts(extraHosts, network.hostEntries, own, network.hostGateway);
  const dns = { nameservers: hc.Dns ?? [], search: hc.DnsSearch ?? [], options: hc.DnsOptions ?? [] };
  const hostResolvConf = await hostFile('/etc/resolv.conf');
  const resolvConf = network.nameservers ? embeddedResolvConf(hostResolvConf, dns, network.nameservers) : containerResolvConf(hostResolvConf, dns, hostNetwork);
  // Written again at every start: a host crash that loses them costs nothing, so no fsyncs.
  await Promise.all([
    replaceFile(paths.hostname, `${hostname}\n`, 0o644),
    replaceFile(paths.hosts, hosts, 0o644),
    replaceFile(paths.resolvConf, resolvConf, 0o644),
  ]);
  if (owner) for (const path of [paths.hostname, paths.hosts, paths.resolvConf]) await chown(path, owner.uid, owner.gid);
  return paths;
}

async function hostFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}
