import { InvalidArgumentError } from '@berth/api';
import type { RegistryTls } from '@berth/distribution';
import { DEFAULT_DOMAIN } from '@berth/reference';
import { lookup } from 'node:dns/promises';
import { readdir, readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';

/** dockerd's registry options, and Berth's per-registry mirrors. */
export interface RegistryHostsConfig {
  /** CIDRs or `host[:port]`s reached without TLS verification, and over HTTP when HTTPS fails. */
  insecureRegistries: string[];
  /** Docker Hub's mirrors (dockerd's `registry-mirrors`). */
  registryMirrors: string[];
  /** Mirrors of any other registry, by its `host[:port]`. */
  registryMirrorsFor: Record<string, string[]>;
  /** `<dir>/<host[:port]>/`: `*.crt` CAs, `*.cert` + `*.key` client certificates (Docker's certs.d). */
  certsDir: string;
}

/** One place to reach a registry: its root URL and TLS, and whether it is a mirror (a pull falls back from it). */
export interface RegistryEndpoint {
  url: string;
  tls?: RegistryTls;
  mirror: boolean;
}

/** `docker info`'s RegistryConfig. */
export interface RegistryInfo {
  IndexConfigs: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }>;
  InsecureRegistryCIDRs: string[];
  Mirrors: string[];
}

// Docker Hub's API lives at another host than its name.
const DOCKER_HUB_URL = 'https://registry-1.docker.io';
// Always insecure, as in moby: a registry on the host itself.
const LOOPBACK_CIDRS = ['::1/128', '127.0.0.0/8'];

/**
 * Where the engine reaches each registry (moby's registry service): HTTPS with the CAs and client
 * certificates of its certs.d directory; for an insecure registry (a configured name or an address
 * in a configured CIDR, loopback always) HTTPS without verification, then HTTP; for a pull, the
 * registry's mirrors first.
 */
export class RegistryHosts {
  /** What the configuration asked that was changed, for the daemon to log (dockerd warns of the same). */
  readonly warnings: string[] = [];
  private readonly cidrs: string[];
  private readonly insecureCidrs = new BlockList();
  private readonly insecureNames = new Set<string>();
  private readonly mirrors: Map<string, string[]>;
  private trusted: string[] | undefined;

  constructor(
    private readonly config: RegistryHostsConfig,
    /** A host name's addresses, checked against the insecure CIDRs (the system's resolver by default). */
    private readonly resolve: (host: string) => Promise<Array<{ address: string; family: number }>> = (host) => lookup(host, { all: true }),
  ) {
    this.cidrs = [...LOOPBACK_CIDRS];
    for (const configured of config.insecureRegistries) {
      // dockerd drops an http:// or https:// before an insecure registry, and says so.
      const entry = configured.replace(/^https?:\/\//i, '');
      if (entry !== configured) this.warnings.push(`insecure registry ${configured} should not contain '${configured.slice(0, configured.length - entry.length)}': it was removed`);
      const cidr = parseCidr(entry);
      if (cidr) {
        if (!this.cidrs.includes(entry)) this.cidrs.push(entry);
      } else this.insecureNames.add(entry);
    }
    for (const cidr of this.cidrs) {
      const parsed = parseCidr(cidr)!;
      this.insecureCidrs.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.mirrors = new Map(Object.entries(config.registryMirrorsFor).map(([host, urls]) => [host, urls.map(normaliseMirror)]));
    if (config.registryMirrors.length > 0) this.mirrors.set(DEFAULT_DOMAIN, config.registryMirrors.map(normaliseMirror));
  }

  /** Where a pull goes: the registry's mirrors, then the registry. */
  async pullEndpoints(domain: string): Promise<RegistryEndpoint[]> {
    const mirrors = await Promise.all(
      (this.mirrors.get(domain) ?? []).map(async (url) => {
        const { host } = new URL(url);
        return { url: url.replace(/\/$/, ''), mirror: true, ...(await this.tlsFor(host, await this.isInsecure(host))) };
      }),
    );
    return [...mirrors, ...(await this.endpoints(domain))];
  }

  /** Where everything else (push, login, inspect) goes: the registry itself, over HTTPS first. */
  async endpoints(domain: string): Promise<RegistryEndpoint[]> {
    if (domain === DEFAULT_DOMAIN) return [{ url: DOCKER_HUB_URL, mirror: false, ...(await this.tlsFor(domain, false)) }];
    const secure = { url: `https://${domain}`, mirror: false, ...(await this.tlsFor(domain, await this.isInsecure(domain))) };
    return secure.tls.insecureSkipVerify ? [secure, { url: `http://${domain}`, mirror: false }] : [secure];
  }

  info(): RegistryInfo {
    const hub = this.mirrors.get(DEFAULT_DOMAIN) ?? [];
    const indexes: RegistryInfo['IndexConfigs'] = { [DEFAULT_DOMAIN]: { Name: DEFAULT_DOMAIN, Mirrors: hub, Secure: true, Official: true } };
    for (const name of this.insecureNames) indexes[name] = { Name: name, Mirrors: this.mirrors.get(name) ?? [], Secure: false, Official: false };
    for (const [name, mirrors] of this.mirrors) indexes[name] ??= { Name: name, Mirrors: mirrors, Secure: true, Official: false };
    return { IndexConfigs: indexes, InsecureRegistryCIDRs: [...this.cidrs], Mirrors: hub };
  }

  /** moby's isSecureIndex: a configured name matches exactly (with its port); otherwise the host's addresses are checked against the CIDRs. */
  private async isInsecure(domain: string): Promise<boolean> {
    if (this.insecureNames.has(domain)) return true;
    const host = domain.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolve(host).catch(() => []);
    return addresses.some(({ address, family }) => this.insecureCidrs.check(address, family === 6 ? 'ipv6' : 'ipv4'));
  }

  /**
   * `host`'s TLS: the system's CAs and Node's, those of its certs.d directory, and its client
   * certificate; no verification when insecure.
   */
  private async tlsFor(host: string, insecure: boolean): Promise<{ tls: RegistryTls }> {
    if (!isRegistryHost(host)) throw new InvalidArgumentError(`invalid registry host ${JSON.stringify(host)}`);
    const dir = join(this.config.certsDir, host);
    const entries = await readdir(dir).catch(() => [] as string[]);
    this.trusted ??= [...new Set([...getCACertificates('system'), ...getCACertificates('default')])];
    const cas = entries.filter((name) => name.endsWith('.crt')).sort();
    const tls: RegistryTls = { ca: [...this.trusted, ...(await Promise.all(cas.map((name) => readFile(join(dir, name), 'utf8'))))] };
    const cert = entries.filter((name) => name.endsWith('.cert')).sort()[0];
    if (cert !== undefined) {
      const key = `${cert.slice(0, -'.cert'.length)}.key`;
      if (!entries.includes(key)) throw new InvalidArgumentError(`missing key ${key} for client certificate ${cert} in ${dir}`);
      tls.cert = await readFile(join(dir, cert), 'utf8');
      tls.key = await readFile(join(dir, key), 'utf8');
    }
    if (insecure) tls.insecureSkipVerify = true;
    return { tls };
  }
}

/** dockerd's checks on `registry-mirrors` and `insecure-registries`, with its messages. */
export function validateRegistryHosts(config: Pick<RegistryHostsConfig, 'insecureRegistries' | 'registryMirrors' | 'registryMirrorsFor'>): void {
  for (const entry of config.insecureRegistries) {
    if (typeof entry !== 'string') throw new InvalidArgumentError(`invalid insecure registry ${JSON.stringify(entry)}`);
    const bare = entry.replace(/^https?:\/\//i, '');
    if (bare.includes('://')) throw new InvalidArgumentError(`insecure registry ${entry} should not contain '://'`);
    if (!parseCidr(bare) && !isRegistryHost(bare)) throw new InvalidArgumentError(`insecure registry ${entry} is not valid: a CIDR or a host[:port]`);
  }
  for (const url of config.registryMirrors) normaliseMirror(url);
  for (const [host, urls] of Object.entries(config.registryMirrorsFor)) {
    if (!isRegistryHost(host)) throw new InvalidArgumentError(`invalid registry ${JSON.stringify(host)} in registry-mirrors-for: a host[:port]`);
    if (!Array.isArray(urls)) throw new InvalidArgumentError(`invalid registry-mirrors-for ${JSON.stringify(host)}: a list of mirror URLs`);
    for (const url of urls) normaliseMirror(url);
  }
}

/** A registry's `host[:port]` (a name, an IPv4 or a bracketed IPv6 address), never a path such as `..`. */
export function isRegistryHost(value: string): boolean {
  return /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(value) && !/^\.+(:|$)/.test(value);
}

/** A mirror's URL as dockerd keeps it (`https://host/`), or its error. */
function normaliseMirror(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`invalid mirror: ${JSON.stringify(value)} is not a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`invalid mirror: ${JSON.stringify(value)} is not a valid URI`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`invalid mirror: unsupported scheme "${url.protocol.slice(0, -1)}" in "${value}"`);
  if (url.username || url.password) throw new InvalidArgumentError(`invalid mirror: username/password not allowed in URI "${value}"`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw new InvalidArgumentError(`invalid mirror: path, query, or fragment at end of the URI "${value}"`);
  return `${url.origin}/`;
}

function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const match = /^(.+)\/(\d{1,3})$/.exec(entry);
  const family = match ? isIP(match[1]!) : 0;
  if (!match || family === 0) return undefined;
  const prefix = Number(match[2]);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address: match[1]!, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}
