import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import { DEFAULT_ADDRESS_POOLS, validateAddressPool, type AddressPool } from '@berth/network';
import { validateRegistryHosts } from './image/registry-hosts.js';
import { invalidRemapSetting } from './userns/remap-setting.js';

export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  runtime: 'runc' | 'crun';
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** Static tini bound into containers for `--init`. */
  initPath: string;
  /** Cap on the decompressed bytes of one image layer (a decompression bomb fails at this size). */
  maxLayerSize?: number;
  /** CVEs the operator accepts the OCI runtime lacking a fix for, each by name (runtime/runtime-vulnerabilities.ts). */
  allowUnpatchedRuntime: string[];
  /** Group the API sockets are shared with (root:<group>, 0660), a name or gid; dockerd's -G. */
  group: string;
  /** Layers a pull downloads at once (dockerd's `max-concurrent-downloads`). */
  maxConcurrentDownloads: number;
  /** Layers a push uploads at once (dockerd's `max-concurrent-uploads`). */
  maxConcurrentUploads: number;
  /** Registries reached without TLS verification (and over HTTP when HTTPS fails): CIDRs or `host[:port]`s; loopback always is. */
  insecureRegistries: string[];
  /** Docker Hub's mirrors. */
  registryMirrors: string[];
  /** Mirrors of other registries, by `host[:port]` (Berth's; dockerd mirrors Docker Hub only). */
  registryMirrorsFor: Record<string, string[]>;
  /** Per-registry CAs and client certificates, in Docker's certs.d layout. */
  registryCertsDir: string;
  /** TCP listeners serve TLS (dockerd's --tls; implied by tlsVerify). */
  tls: boolean;
  /** TCP listeners accept only clients with a certificate the CA signed (dockerd's --tlsverify). */
  tlsVerify: boolean;
  tlsCaCert: string;
  tlsCert: string;
  tlsKey: string;
  /** Accept a TCP listener without client verification (Berth's: it gives root to whoever reaches it). */
  insecureTcp: boolean;
  /** The default bridge network's interface (created if missing), or `none` for no default bridge (dockerd's -b). */
  bridge: string;
  /** The default bridge's address and prefix (dockerd's --bip), e.g. 172.17.0.1/16. */
  bip?: string;
  /** dockerd's --iptables: false refuses bridge networks, whose driver always sets up firewall rules. */
  iptables: boolean;
  /** Where new networks' subnets come from (dockerd's default-address-pools). */
  defaultAddressPools: AddressPool[];
  /** Authorization plugins asked about every request, in this order (dockerd's --authorization-plugin). */
  authorizationPlugins: string[];
  /** Directories searched for plugins' sockets and spec files before Docker's own (Berth's). */
  pluginDirs: string[];
  /**
   * dockerd's --userns-remap: containers run in a user namespace mapped to this user's subordinate ids
   * ("default", USER[:GROUP] or UID[:GID]); the daemon's images and containers then live in
   * `<data-root>/<uid>.<gid>`, as dockerd keeps them.
   */
  usernsRemap?: string;
}

// dockerd's defaults for its TLS files: DOCKER_CERT_PATH, else ~/.docker.
const CERT_PATH = process.env.DOCKER_CERT_PATH || join(homedir(), '.docker');

/** The socket group's default, like dockerd's "docker": used when it exists, skipped quietly when not. */
export const DEFAULT_SOCKET_GROUP = 'berth';

export const DEFAULT_CONFIG: DaemonConfig = {
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  hosts: ['unix:///run/berth/berth.sock'],
  runtime: 'runc',
  logLevel: 'info',
  initPath: '/usr/bin/tini-static',
  allowUnpatchedRuntime: [],
  group: DEFAULT_SOCKET_GROUP,
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
  insecureRegistries: [],
  registryMirrors: [],
  registryMirrorsFor: {},
  // Docker's own directory: CAs set up for docker serve berthd too.
  registryCertsDir: '/etc/docker/certs.d',
  tls: false,
  tlsVerify: false,
  tlsCaCert: join(CERT_PATH, 'ca.pem'),
  tlsCert: join(CERT_PATH, 'cert.pem'),
  tlsKey: join(CERT_PATH, 'key.pem'),
  insecureTcp: false,
  // Not docker0: a dockerd on the same host keeps its own.
  bridge: 'berth0',
  iptables: true,
  defaultAddressPools: [...DEFAULT_ADDRESS_POOLS],
  authorizationPlugins: [],
  pluginDirs: [],
};

/** Keys of the JSON config file, named as in dockerd's daemon.json. */
const FILE_KEYS: Record<string, keyof DaemonConfig> = {
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  hosts: 'hosts',
  'default-runtime': 'runtime',
  runtime: 'runtime',
  'log-level': 'logLevel',
  'init-path': 'initPath',
  'max-layer-size': 'maxLayerSize',
  'allow-unpatched-runtime': 'allowUnpatchedRuntime',
  group: 'group',
  'max-concurrent-downloads': 'maxConcurrentDownloads',
  'max-concurrent-uploads': 'maxConcurrentUploads',
  'insecure-registries': 'insecureRegistries',
  'registry-mirrors': 'registryMirrors',
  'registry-mirrors-for': 'registryMirrorsFor',
  'registry-certs-dir': 'registryCertsDir',
  tls: 'tls',
  tlsverify: 'tlsVerify',
  tlscacert: 'tlsCaCert',
  tlscert: 'tlsCert',
  tlskey: 'tlsKey',
  'insecure-tcp': 'insecureTcp',
  bridge: 'bridge',
  bip: 'bip',
  iptables: 'iptables',
  'default-address-pools': 'defaultAddressPools',
  'authorization-plugins': 'authorizationPlugins',
  'plugin-dirs': 'pluginDirs',
  'userns-remap': 'usernsRemap',
};

export async function readConfigFile(path: string): Promise<Partial<DaemonConfig>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`unable to configure the Berth daemon with file ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`unable to configure the Berth daemon with file ${path}: not a JSON object`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const field = FILE_KEYS[key];
    if (!field) throw new InvalidArgumentError(`unable to configure the Berth daemon with file ${path}: unknown option "${key}"`);
    config[field] = value;
  }
  return config as Partial<DaemonConfig>;
}

/** Defaults, then the config file, then flags; the result is validated. */
export function resolveConfig(fromFile: Partial<DaemonConfig>, fromFlags: Partial<DaemonConfig>): DaemonConfig {
  const config = { ...DEFAULT_CONFIG, ...fromFile, ...fromFlags };
  if (config.runtime !== 'runc' && config.runtime !== 'crun') throw new InvalidArgumentError(`unknown runtime "${String(config.runtime)}" (runc or crun)`);
  if (!['debug', 'info', 'warn', 'error', 'fatal'].includes(config.logLevel)) throw new InvalidArgumentError(`invalid log level "${config.logLevel}"`);
  for (const key of ['tls', 'tlsVerify', 'insecureTcp', 'iptables'] as const) {
    if (typeof config[key] !== 'boolean') throw new InvalidArgumentError(`invalid ${key.toLowerCase()} ${JSON.stringify(config[key])}: true or false`);
  }
  for (const key of ['tlsCaCert', 'tlsCert', 'tlsKey'] as const) {
    if (typeof config[key] !== 'string' || config[key] === '') throw new InvalidArgumentError(`invalid ${key.toLowerCase()} ${JSON.stringify(config[key])}: a file path`);
  }
  if (config.tlsVerify) config.tls = true;
  const tcp = config.hosts.map((host) => parseListenAddress(host, config.tls)).filter((address) => address.kind === 'tcp');
  if (tcp.length > 0 && !config.tlsVerify && !config.insecureTcp) {
    const how = config.tls ? 'TLS without --tlsverify lets any client in' : 'plain TCP gives root on this host to anyone who can reach the port';
    throw new InvalidArgumentError(`refusing to listen on ${config.hosts.find((host) => !host.startsWith('unix://') && !host.startsWith('/'))}: ${how}; use --tlsverify with --tlscacert, --tlscert and --tlskey, or accept the risk with --insecure-tcp`);
  }
  if (config.maxLayerSize !== undefined && !(Number.isSafeInteger(config.maxLayerSize) && config.maxLayerSize > 0)) {
    throw new InvalidArgumentError(`invalid max-layer-size ${JSON.stringify(config.maxLayerSize)}: a positive number of bytes`);
  }
  const allowed: unknown = config.allowUnpatchedRuntime;
  if (!Array.isArray(allowed) || !allowed.every((cve) => typeof cve === 'string' && /^CVE-\d{4}-\d{4,}$/.test(cve))) {
    throw new InvalidArgumentError(`invalid allow-unpatched-runtime ${JSON.stringify(allowed)}: a list of CVE ids such as CVE-2025-31133`);
  }
  for (const [key, value] of [['max-concurrent-downloads', config.maxConcurrentDownloads], ['max-concurrent-uploads', config.maxConcurrentUploads]] as const) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new InvalidArgumentError(`invalid ${key} ${JSON.stringify(value)}: a positive number`);
  }
  for (const [key, value] of [['insecure-registries', config.insecureRegistries], ['registry-mirrors', config.registryMirrors]] as const) {
    if (!Array.isArray(value)) throw new InvalidArgumentError(`invalid ${key} ${JSON.stringify(value)}: a list`);
  }
  const mirrorsFor: unknown = config.registryMirrorsFor;
  if (typeof mirrorsFor !== 'object' || mirrorsFor === null || Array.isArray(mirrorsFor)) {
    throw new InvalidArgumentError(`invalid registry-mirrors-for ${JSON.stringify(mirrorsFor)}: an object of registry to mirror URLs`);
  }
  validateRegistryHosts(config);
  if (typeof config.registryCertsDir !== 'string' || !config.registryCertsDir.startsWith('/')) {
    throw new InvalidArgumentError(`invalid registry-certs-dir ${JSON.stringify(config.registryCertsDir)}: an absolute path`);
  }
  validateNetworkSettings(config);
  validatePluginSettings(config);
  if (config.usernsRemap !== undefined && typeof config.usernsRemap !== 'string') throw invalidRemapSetting(config.usernsRemap);
  if (config.usernsRemap === '') delete config.usernsRemap;
  if (typeof config.group !== 'string') throw new InvalidArgumentError(`invalid group ${JSON.stringify(config.group)}: a group name or gid`);
  return config;
}

function validatePluginSettings(config: DaemonConfig): void {
  const plugins: unknown = config.authorizationPlugins;
  if (!Array.isArray(plugins) || !plugins.every((name) => typeof name === 'string' && name !== '')) {
    throw new InvalidArgumentError(`invalid authorization-plugins ${JSON.stringify(plugins)}: a list of plugin names`);
  }
  const dirs: unknown = config.pluginDirs;
  if (!Array.isArray(dirs) || !dirs.every((dir) => typeof dir === 'string' && dir.startsWith('/'))) {
    throw new InvalidArgumentError(`invalid plugin-dirs ${JSON.stringify(dirs)}: a list of absolute paths`);
  }
}

function validateNetworkSettings(config: DaemonConfig): void {
  if (typeof config.bridge !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(config.bridge)) {
    throw new InvalidArgumentError(`invalid bridge ${JSON.stringify(config.bridge)}: an interface name of at most 15 characters, or none`);
  }
  if (config.bip !== undefined && (typeof config.bip !== 'string' || !config.bip.includes('/'))) throw new InvalidArgumentError(`invalid bip ${JSON.stringify(config.bip)}: an address with its prefix length (172.17.0.1/16)`);
  if (config.bip !== undefined && config.bridge === 'none') throw new InvalidArgumentError('--bip and --bridge=none are mutually exclusive');
  const pools: unknown = config.defaultAddressPools;
  if (!Array.isArray(pools) || pools.length === 0) throw new InvalidArgumentError(`invalid default-address-pools ${JSON.stringify(pools)}: a list of {"base": CIDR, "size": bits}`);
  for (const pool of pools as AddressPool[]) {
    if (typeof pool !== 'object' || pool === null || typeof pool.base !== 'string') throw new InvalidArgumentError(`invalid default-address-pools entry ${JSON.stringify(pool)}: {"base": CIDR, "size": bits}`);
    validateAddressPool(pool);
  }
}

export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** A unix socket, or `tcp://host[:port]` (port 2376 with TLS, 2375 without, as dockerd). */
export function parseListenAddress(host: string, tls = false): ListenAddress {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw new InvalidArgumentError(`invalid host "${host}": the socket path must be absolute`);
    return { kind: 'unix', path };
  }
  if (host.startsWith('/')) return { kind: 'unix', path: host };
  if (host.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw new InvalidArgumentError(`invalid host "${host}": tcp://host:port`);
    }
    if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search || url.username) throw new InvalidArgumentError(`invalid host "${host}": tcp://host:port`);
    return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? (tls ? 2376 : 2375) : Number(url.port) };
  }
  throw new InvalidArgumentError(`invalid host "${host}": unix:// sockets or tcp://host:port`);
}
