import { createHash } from 'node:crypto';
import type { ContainerRecord } from './record.js';

/** One entry of NetworkSettings.Networks (moby's EndpointSettings), in Docker's field order. */
export interface EndpointSettings {
  IPAMConfig: null;
  Links: null;
  Aliases: null;
  MacAddress: string;
  DriverOpts: null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: null;
}

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The engine's built-in networks, as Docker names them. There is no bridge network (Docker with
 * `--bridge=none` has none either), so a `default`/`bridge` container is listed on `bridge` with empty
 * IDs, as that Docker lists it. IDs are derived, not stored: the same on every start.
 */
const BUILT_IN = new Set(['host', 'none']);

function networkName(mode: string | undefined): string | undefined {
  if (!mode || mode === 'default') return 'bridge';
  return mode.startsWith('container:') ? undefined : mode;
}

/**
 * The container's networks: the endpoint exists while the container runs (EndpointID), the network
 * is recorded from its first start (NetworkID), as moby's inspect shows them.
 */
export function networksView(c: ContainerRecord): Record<string, EndpointSettings> {
  const name = networkName(c.hostConfig.NetworkMode);
  if (name === undefined) return {};
  const attached = BUILT_IN.has(name);
  return {
    [name]: {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      MacAddress: '',
      DriverOpts: null,
      NetworkID: attached && c.state.startedAt ? hex(`berth network ${name}`) : '',
      EndpointID: attached && c.state.running ? hex(`${c.id} endpoint ${name} ${c.state.startedAt}`) : '',
      Gateway: '',
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: null,
    },
  };
}

/** GET /containers/{id}/json's NetworkSettings, in Docker's field order (the deprecated fields included). */
export function networkSettingsView(c: ContainerRecord): Record<string, unknown> {
  const running = c.state.running && c.state.pid > 0;
  return {
    Bridge: '',
    SandboxID: running ? hex(`${c.id} sandbox ${c.state.startedAt}`) : '',
    SandboxKey: running ? `/proc/${c.state.pid}/ns/net` : '',
    Ports: {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: networksView(c),
  };
}
