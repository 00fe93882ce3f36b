import { createHash } from 'node:crypto';
import { parsePortKey, type Endpoint, type PortMapping, type Sandbox } from '@berth/network';
import type { ContainerNetworkState } from '../ports.js';
import { configuredNetworkNames } from './network-mode.js';
import type { ContainerRecord } from './record.js';

/** One entry of NetworkSettings.Networks (moby's EndpointSettings), in Docker's field order. */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const nonEmpty = <T>(list: readonly T[] | undefined): T[] | null => (list && list.length > 0 ? [...list] : null);

/**
 * The container's networks: what it asked of each (aliases, static addresses), its endpoint while it
 * runs (addresses, MAC, EndpointID), and the network's ID once it exists, as moby's inspect shows
 * them. `host` and `none` have no sandbox: their endpoint IDs are derived from the container's start.
 */
export function networksView(c: ContainerRecord, state: ContainerNetworkState): Record<string, EndpointSettings> {
  const view: Record<string, EndpointSettings> = {};
  for (const name of configuredNetworkNames(c)) {
    const asked = c.endpoints?.[name];
    const network = state.networks[name];
    const endpoint: Endpoint | undefined = state.sandbox?.endpoints.find((e) => e.networkId === network?.id);
    const builtIn = network?.driver === 'host' || network?.driver === 'null';
    const ipam = asked?.ipv4 || asked?.ipv6 ? { ...(asked.ipv4 ? { IPv4Address: asked.ipv4 } : {}), ...(asked.ipv6 ? { IPv6Address: asked.ipv6 } : {}) } : null;
    view[name] = {
      IPAMConfig: ipam,
      Links: nonEmpty(asked?.links),
      Aliases: nonEmpty(asked?.aliases),
      MacAddress: endpoint?.macAddress ?? asked?.macAddress ?? '',
      DriverOpts: null,
      NetworkID: network && (c.state.startedAt || endpoint) ? network.id : '',
      EndpointID: endpoint?.endpointId ?? (builtIn && c.state.running ? hex(`${c.id} endpoint ${name} ${c.state.startedAt}`) : ''),
      Gateway: endpoint?.ipv4?.gateway ?? '',
      IPAddress: endpoint?.ipv4?.address ?? '',
      IPPrefixLen: endpoint?.ipv4?.prefixLength ?? 0,
      IPv6Gateway: endpoint?.ipv6?.gateway ?? '',
      GlobalIPv6Address: endpoint?.ipv6?.address ?? '',
      GlobalIPv6PrefixLen: endpoint?.ipv6?.prefixLength ?? 0,
      DNSNames: nonEmpty(endpoint?.dnsNames),
    };
  }
  return view;
}

type PortBindingView = Array<{ HostIp: string; HostPort: string }> | null;

/**
 * The host addresses a mapping binds, as Docker lists them: '' (every address) is 0.0.0.0, and also ::
 * when the container has an IPv6 address for netavark's IPv6 rules to forward to.
 */
function hostIps(mapping: PortMapping, sandbox: Sandbox): string[] {
  if (mapping.hostIp !== '') return [mapping.hostIp];
  return sandbox.endpoints.some((e) => e.ipv6) ? ['0.0.0.0', '::'] : ['0.0.0.0'];
}

/** NetworkSettings.Ports of a running container: each published port's bindings, exposed ones as null. */
export function portsView(c: ContainerRecord, state: ContainerNetworkState): Record<string, PortBindingView> {
  const { sandbox } = state;
  if (!sandbox) return {};
  const ports: Record<string, PortBindingView> = {};
  for (const key of Object.keys(c.config.ExposedPorts ?? {})) {
    const { port, protocol } = parsePortKey(key);
    ports[`${port}/${protocol}`] = null;
  }
  for (const mapping of sandbox.ports) {
    const key = `${mapping.containerPort}/${mapping.protocol}`;
    for (const ip of hostIps(mapping, sandbox)) (ports[key] ??= []).push({ HostIp: ip, HostPort: String(mapping.hostPort) });
  }
  return ports;
}

/** `GET /containers/json`'s Ports: published ports with their host side, exposed ones without. */
export function portSummaries(c: ContainerRecord, state: ContainerNetworkState): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  const { sandbox } = state;
  if (!sandbox) return [];
  const published = sandbox.ports.flatMap((m) => hostIps(m, sandbox).map((ip) => ({ IP: ip, PrivatePort: m.containerPort, PublicPort: m.hostPort, Type: m.protocol })));
  const exposed = Object.keys(c.config.ExposedPorts ?? {})
    .map(parsePortKey)
    .filter(({ port, protocol }) => !published.some((p) => p.PrivatePort === port && p.Type === protocol))
    .map(({ port, protocol }) => ({ PrivatePort: port, Type: protocol }));
  return [...published, ...exposed];
}

/** GET /containers/{id}/json's NetworkSettings, in Docker's field order (the deprecated fields from the default bridge). */
export function networkSettingsView(c: ContainerRecord, state: ContainerNetworkState): Record<string, unknown> {
  const running = c.state.running && c.state.pid > 0;
  const networks = networksView(c, state);
  const bridge = state.networks.bridge ? networks.bridge : undefined;
  return {
    Bridge: '',
    SandboxID: running ? hex(`${c.id} sandbox ${c.state.startedAt}`) : '',
    SandboxKey: state.sandbox?.netns ?? (running ? `/proc/${c.state.pid}/ns/net` : ''),
    Ports: portsView(c, state),
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '',
    Gateway: bridge?.Gateway ?? '',
    GlobalIPv6Address: bridge?.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: bridge?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: bridge?.IPAddress ?? '',
    IPPrefixLen: bridge?.IPPrefixLen ?? 0,
    IPv6Gateway: bridge?.IPv6Gateway ?? '',
    MacAddress: bridge?.MacAddress ?? '',
    Networks: networks,
  };
}
