import { isIP } from 'node:net';
import { isLoopbackAddress } from '../util/loopback.js';

/** What `--dns`, `--dns-search` and `--dns-option` ask for; an empty list keeps the host's entries. */
export interface DnsSettings {
  nameservers: readonly string[];
  search: readonly string[];
  options: readonly string[];
}

/** Public resolvers libnetwork falls back to when the host lists only loopback ones, which a container cannot reach. */
const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'];

/** The file's lines without comments. */
function lines(content: string): string[] {
  return content.split('\n').map((line) => line.replace(/#.*/, '').trim());
}

/** The arguments of the last `keyword` line (libnetwork's GetSearchDomains / GetOptions), or of every one for nameservers. */
function entries(content: string, keyword: string): string[][] {
  return lines(content)
    .map((line) => line.split(/\s+/))
    .filter(([first]) => first === keyword)
    .map((fields) => fields.slice(1));
}

/** libnetwork's resolvconf.Build: search, nameserver and options lines; a search list of just "." means none. */
function buildResolvConf(dns: DnsSettings): string {
  const out: string[] = [];
  if (dns.search.length > 0 && dns.search.join(' ').trim() !== '.') out.push(`search ${dns.search.join(' ')}`);
  out.push(...dns.nameservers.map((ns) => `nameserver ${ns}`));
  if (dns.options.length > 0 && dns.options.join(' ').trim() !== '') out.push(`options ${dns.options.join(' ')}`);
  return `${out.join('\n')}\n`;
}

/**
 * A container's /etc/resolv.conf from the host's, as libnetwork writes it: with DNS settings, the
 * host's nameservers, search domains and options each replaced by the given ones; without, the
 * host's file as is under host networking, and otherwise without loopback nameservers (falling back
 * to public ones when none is left).
 */
export function containerResolvConf(host: string, dns: DnsSettings, hostNetwork: boolean): string {
  const custom = dns.nameservers.length > 0 || dns.search.length > 0 || dns.options.length > 0;
  if (!custom) {
    if (hostNetwork) return host;
    const filtered = host
      .split('\n')
      .filter((line) => {
        const [keyword, address] = line.trim().split(/\s+/);
        return !(keyword === 'nameserver' && address !== undefined && isLoopbackAddress(address));
      })
      .join('\n');
    if (entries(filtered, 'nameserver').length > 0) return filtered;
    const kept = filtered.trimEnd();
    return `${kept === '' ? '' : `${kept}\n`}${FALLBACK_NAMESERVERS.map((ns) => `nameserver ${ns}\n`).join('')}`;
  }
  const hostNameservers = entries(host, 'nameserver')
    .map(([address]) => address ?? '')
    .filter((address) => isIP(address.replace(/%.*/, '')) !== 0);
  return buildResolvConf({
    nameservers: dns.nameservers.length > 0 ? dns.nameservers : hostNameservers,
    search: dns.search.length > 0 ? dns.search : (entries(host, 'search').at(-1) ?? []),
    options: dns.options.length > 0 ? dns.options : (entries(host, 'options').at(-1) ?? []),
  });
}

/**
 * resolv.conf for a container on user-defined networks: their embedded DNS server answers (it
 * forwards other names to the host's resolvers or `--dns`), with the host's or the given search
 * domains and options, and `ndots:0` as Docker adds it.
 */
export function embeddedResolvConf(host: string, dns: DnsSettings, nameservers: readonly string[]): string {
  const options = dns.options.length > 0 ? [...dns.options] : (entries(host, 'options').at(-1) ?? []);
  if (!options.some((option) => option.startsWith('ndots:'))) options.push('ndots:0');
  return buildResolvConf({ nameservers, search: dns.search.length > 0 ? dns.search : (entries(host, 'search').at(-1) ?? []), options });
}
