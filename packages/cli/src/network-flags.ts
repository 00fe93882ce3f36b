import { isIP } from 'node:net';
import { Option, type Command } from 'commander';
import { InvalidArgumentError, type ContainerCreateRequest, type EndpointRequest } from '@berth/api';
import { FlagValueError, validateEach } from './flag-value-error.js';
import { parseExposeFlag, parsePublishFlags } from './port-specs.js';
import { collect } from './repeatable-flags.js';
import { byteOrder } from './format/go-order.js';

/** The run/create flags for ports, networks, DNS and host names. */
export interface NetworkFlags {
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  network?: string[];
  networkAlias?: string[];
  ip?: string;
  ip6?: string;
  macAddress?: string;
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  link?: string[];
  linkLocalIp?: string[];
  hostname?: string;
  domainname?: string;
}

/** A hidden second spelling of a repeatable flag, adding to the same list in command-line order, as docker's do. */
function hiddenSpelling(command: Command, flag: string, attribute: string): Command {
  command.addOption(new Option(`${flag} <value>`).hideHelp());
  return command.on(`option:${flag.slice(2)}`, (value: string) => {
    command.setOptionValue(attribute, [...(command.getOptionValue(attribute) as string[]), value]);
  });
}

export function withNetworkOptions(command: Command): Command {
  hiddenSpelling(command, '--net', 'network');
  hiddenSpelling(command, '--net-alias', 'networkAlias');
  hiddenSpelling(command, '--dns-opt', 'dnsOption');
  return command
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect, [])
    .option('--dns <list>', 'Set custom DNS servers', collect, [])
    .option('--dns-option <list>', 'Set DNS options', collect, [])
    .option('--dns-search <list>', 'Set custom DNS search domains', collect, [])
    .option('--domainname <string>', 'Container NIS domain name')
    .option('--expose <list>', 'Expose a port or a range of ports', collect, [])
    .option('-h, --hostname <string>', 'Container host name')
    .option('--ip <string>', 'IPv4 address (e.g., 172.30.100.104)')
    .option('--ip6 <string>', 'IPv6 address (e.g., 2001:db8::33)')
    .option('--link <list>', 'Add link to another container', collect, [])
    .option('--link-local-ip <list>', 'Container IPv4/IPv6 link-local addresses', collect, [])
    .option('--mac-address <string>', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
    .option('--network <network>', 'Connect a container to a network', collect, [])
    .option('--network-alias <list>', 'Add network-scoped alias for the container', collect, [])
    .option('-p, --publish <list>', "Publish a container's port(s) to the host", collect, [])
    .option('-P, --publish-all', 'Publish all exposed ports to random ports');
}

/** One `--network` value: a name, or docker's `name=…,alias=…,ip=…` form. */
interface NetworkAttachment {
  target: string;
  aliases: string[];
  driverOpts?: Record<string, string>;
  links: string[];
  linkLocalIps: string[];
  ipv4: string;
  ipv6: string;
  mac: string;
  gwPriority: number;
}

/** docker/cli opts.NetworkOpt.Set. */
function parseNetworkFlag(value: string): NetworkAttachment {
  const attachment: NetworkAttachment = { target: value, aliases: [], links: [], linkLocalIps: [], ipv4: '', ipv6: '', mac: '', gwPriority: 0 };
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return attachment;
  attachment.target = '';
  for (const field of value.split(',')) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw new FlagValueError('--network', value, `invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    switch (key) {
      case 'name': attachment.target = val; break;
      case 'alias': attachment.aliases.push(val); break;
      case 'ip': attachment.ipv4 = val; break;
      case 'ip6': attachment.ipv6 = val; break;
      case 'mac-address': attachment.mac = val; break;
      case 'link-local-ip': attachment.linkLocalIps.push(val); break;
      case 'driver-opt': {
        const [k, v] = driverOpt(val, () => new FlagValueError('--network', value, 'invalid key value pair format in driver options'));
        attachment.driverOpts = { ...attachment.driverOpts, [k]: v };
        break;
      }
      case 'gw-priority':
        if (!/^[+-]?\d+$/.test(val)) throw new FlagValueError('--network', value, `invalid gw-priority (${val}): invalid syntax`);
        attachment.gwPriority = Number(val);
        break;
      default: throw new FlagValueError('--network', value, `invalid field key ${key}`);
    }
  }
  if (attachment.target === '') throw new FlagValueError('--network', value, 'network name/id is not specified');
  return attachment;
}

/** A `key=value` driver option, lower-cased as docker does. */
export function driverOpt(text: string, error: () => Error): [string, string] {
  const lower = text.toLowerCase();
  const eq = lower.indexOf('=');
  if (eq <= 0) throw error();
  return [lower.slice(0, eq).trim(), lower.slice(eq + 1).trim()];
}

/** Modes that are not a user-defined network (container.NetworkMode.IsUserDefined). */
function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

/** Go's net.ParseMAC: 6, 8 or 20 octets separated by ':' or '-', or dotted groups of four hex digits. */
function isMac(text: string): boolean {
  const t = text.trim();
  const octets = (sep: string): boolean => new RegExp(`^[0-9a-f]{2}(\\${sep}[0-9a-f]{2})*$`, 'i').test(t) && [6, 8, 20].includes(t.split(sep).length);
  const dotted = /^[0-9a-f]{4}(\.[0-9a-f]{4})*$/i.test(t) && [3, 4, 10].includes(t.split('.').length);
  return octets(':') || octets('-') || dotted;
}

/** An endpoint as docker's EndpointRequest serialises: every field present, Go's zero values included. */
function endpointSettings(attachment: NetworkAttachment): EndpointRequest {
  const target = attachment.target;
  if (target.trim() === '') throw new InvalidArgumentError('no name set for network');
  if (!isUserDefined(target) && attachment.aliases.length) throw new InvalidArgumentError('network-scoped aliases are only supported for user-defined networks');
  if (!isUserDefined(target) && attachment.links.length) throw new InvalidArgumentError('links are only supported for user-defined networks');
  if (attachment.mac && !isMac(attachment.mac)) throw new InvalidArgumentError(`${attachment.mac} is not a valid mac address`);
  const ipam = attachment.ipv4 || attachment.ipv6 || attachment.linkLocalIps.length ? {
    ...(attachment.ipv4 ? { IPv4Address: attachment.ipv4 } : {}),
    ...(attachment.ipv6 ? { IPv6Address: attachment.ipv6 } : {}),
    ...(attachment.linkLocalIps.length ? { LinkLocalIPs: attachment.linkLocalIps } : {}),
  } : null;
  return {
    IPAMConfig: ipam,
    Links: attachment.links.length ? attachment.links : null,
    Aliases: attachment.aliases.length ? attachment.aliases : null,
    MacAddress: attachment.mac,
    DriverOpts: attachment.driverOpts ?? null,
    GwPriority: attachment.gwPriority,
    ...EMPTY_ENDPOINT_STATE,
  };
}

/** The read-only EndpointRequest fields the docker CLI sends empty. */
export const EMPTY_ENDPOINT_STATE = {
  NetworkID: '',
  EndpointID: '',
  Gateway: '',
  IPAddress: '',
  IPPrefixLen: 0,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  DNSNames: null,
} as const;

/** The container-wide flags apply to the first network, as docker/cli applyContainerOptions does. */
function applyContainerOptions(attachment: NetworkAttachment, flags: NetworkFlags, links: string[]): void {
  const conflict = (what: string): never => {
    throw new InvalidArgumentError(`conflicting options: cannot specify both ${what}`);
  };
  if (attachment.aliases.length && flags.networkAlias?.length) conflict('--network-alias and per-network alias');
  if (attachment.ipv4 && flags.ip) conflict('--ip and per-network IPv4 address');
  if (attachment.ipv6 && flags.ip6) conflict('--ip6 and per-network IPv6 address');
  if (attachment.mac && flags.macAddress) conflict('--mac-address and per-network MAC address');
  if (attachment.linkLocalIps.length && flags.linkLocalIp?.length) conflict('--link-local-ip and per-network link-local IP addresses');
  if (flags.networkAlias?.length) attachment.aliases = [...flags.networkAlias];
  if (isUserDefined(attachment.target) && links.length) attachment.links = [...links];
  if (flags.ip) attachment.ipv4 = flags.ip;
  if (flags.ip6) attachment.ipv6 = flags.ip6;
  if (flags.macAddress) attachment.mac = flags.macAddress;
  if (flags.linkLocalIp?.length) attachment.linkLocalIps = [...flags.linkLocalIp];
}

/** docker/cli parseNetworkOpts: NetworkingConfig.EndpointsConfig for the --network flags. */
function endpointsConfig(flags: NetworkFlags, links: string[]): Record<string, EndpointRequest> {
  const attachments = (flags.network ?? []).map(parseNetworkFlag);
  const endpoints: Record<string, EndpointRequest> = {};
  if (!attachments.length) {
    const fallback = parseNetworkFlag('default');
    applyContainerOptions(fallback, flags, links);
    endpoints.default = endpointSettings(fallback);
    return endpoints;
  }
  attachments.forEach((attachment, i) => {
    if (i === 0) applyContainerOptions(attachment, flags, links);
    const endpoint = endpointSettings(attachment);
    if (attachment.target in endpoints) throw new InvalidArgumentError(`network "${attachment.target}" is specified multiple times`);
    // A single network given without endpoint options is sent as the mode only.
    if (attachments.length === 1 && isEmptyEndpoint(endpoint)) return;
    endpoints[attachment.target] = endpoint;
  });
  const userDefined = attachments.map((a) => isUserDefined(a.target));
  if (userDefined.includes(true) && userDefined.includes(false)) {
    throw new InvalidArgumentError('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  }
  return endpoints;
}

function isEmptyEndpoint(endpoint: EndpointRequest): boolean {
  return !endpoint.IPAMConfig && !endpoint.Links && !endpoint.Aliases && !endpoint.MacAddress && !endpoint.DriverOpts && !endpoint.GwPriority;
}

/** docker/cli opts.ValidateExtraHost: `name:ip`, `name=ip`, `name:[ip]` or `name:host-gateway`, sent as `name:ip`. */
export function validateExtraHost(value: string): string {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const name = sep < 0 ? '' : value.slice(0, sep);
  let address = value.slice(sep + 1);
  if (sep < 0 || name === '' || name.includes(':')) throw new Error(`bad format for add-host: "${value}"`);
  if (address !== 'host-gateway') {
    if (address.length > 2 && address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
    if (isIP(address.trim()) === 0) throw new Error(`invalid IP address in add-host: "${address}"`);
  }
  return `${name}:${address}`;
}

/** docker/cli opts.ValidateIPAddress, normalising as Go's net.IP.String does for the common forms. */
function validateIpAddress(value: string): string {
  const ip = value.trim();
  if (isIP(ip) === 0) throw new Error(`IP address is not correctly formatted: ${value}`);
  return ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

const DOMAIN = /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/;

/** docker/cli opts.ValidateDNSSearch. */
function validateDnsSearch(value: string): string {
  const domain = value.replace(/^ +| +$/g, '');
  if (domain === '.') return domain;
  const match = /[a-zA-Z]/.test(domain) ? DOMAIN.exec(domain) : null;
  if (!match || match[1]!.length >= 255) throw new Error(`${domain} is not a valid domain`);
  return match[1]!;
}

/** docker/cli opts.ValidateLink: `name` or `name:alias`. */
export function validateLink(value: string): string {
  if (value === '') throw new Error('empty string specified for links');
  if (value.split(':').length > 2) throw new Error(`bad format for links: ${value}`);
  return value;
}

/** Adds the port, network, DNS and host-name fields to a create request exactly as the docker CLI 28 sends them. */
export function applyNetworkFlags(config: ContainerCreateRequest, flags: NetworkFlags): void {
  const extraHosts = validateEach('--add-host', flags.addHost, validateExtraHost);
  const dns = validateEach('--dns', flags.dns, validateIpAddress);
  const dnsSearch = validateEach('--dns-search', flags.dnsSearch, validateDnsSearch);
  const links = validateEach('--link', flags.link, validateLink);
  if (flags.macAddress && !isMac(flags.macAddress)) throw new InvalidArgumentError(`${flags.macAddress} is not a valid mac address`);
  const { exposed, bindings } = parsePublishFlags(flags.publish ?? []);
  const exposedPorts = new Set([...exposed, ...(flags.expose ?? []).flatMap(parseExposeFlag)]);
  config.Hostname = flags.hostname ?? '';
  config.Domainname = flags.domainname ?? '';
  if (exposedPorts.size) config.ExposedPorts = Object.fromEntries([...exposedPorts].sort(byteOrder).map((port) => [port, {}]));
  config.HostConfig = {
    ...config.HostConfig,
    NetworkMode: flags.network?.length ? parseNetworkFlag(flags.network[0]!).target : 'default',
    PortBindings: Object.fromEntries(Object.entries(bindings).sort(([a], [b]) => byteOrder(a, b))),
    PublishAllPorts: Boolean(flags.publishAll),
    Dns: dns,
    DnsOptions: flags.dnsOption ?? [],
    DnsSearch: dnsSearch,
    ExtraHosts: extraHosts.length ? extraHosts : null,
    Links: links.length ? links : null,
  };
  config.NetworkingConfig = { EndpointsConfig: endpointsConfig(flags, links) };
}

/** The docker CLI's warning, added to the create response's, for a loopback `--dns` server. */
export function localhostDnsWarnings(config: ContainerCreateRequest): string[] {
  const loopback = (config.HostConfig?.Dns ?? []).find((ip) => ip.startsWith('127.') || ip === '::1');
  return loopback ? [`Localhost DNS (${loopback}) may fail in containers.`] : [];
}
