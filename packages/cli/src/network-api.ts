import { InternalError } from '@berth/api';

/*
 * The Engine API's network shapes as the CLI reads and sends them (v1.47 Network, IPAM, EndpointSettings,
 * NetworkCreateRequest). They move to @berth/api's schemas once the daemon's network routes land there.
 */

export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface Ipam {
  Driver?: string;
  Config?: IpamConfig[] | null;
  Options?: Record<string, string> | null;
}

export interface Network {
  Name: string;
  Id: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: Ipam;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  Labels?: Record<string, string> | null;
  [field: string]: unknown;
}

export interface NetworkCreateRequest {
  Name: string;
  Driver: string;
  Scope: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM: Ipam;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigOnly: boolean;
  ConfigFrom: { Network: string } | null;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  [field: string]: unknown;
}

/** The /networks calls the network commands make (GET/POST/DELETE on /networks, as docker's client does). */
export interface NetworkApi {
  listNetworks(filters: Record<string, string[]>): Promise<Network[]>;
  inspectNetwork(name: string, options: { verbose?: boolean }): Promise<Network>;
  createNetwork(body: NetworkCreateRequest): Promise<{ Id: string; Warning?: string }>;
  removeNetwork(name: string): Promise<void>;
  pruneNetworks(filters: Record<string, string[]>): Promise<{ NetworksDeleted?: string[] | null }>;
  connectNetwork(network: string, body: { Container: string; EndpointConfig: EndpointSettings }): Promise<void>;
  disconnectNetwork(network: string, body: { Container: string; Force: boolean }): Promise<void>;
}

const NETWORK_CALLS: (keyof NetworkApi)[] = [
  'listNetworks', 'inspectNetwork', 'createNetwork', 'removeNetwork', 'pruneNetworks', 'connectNetwork', 'disconnectNetwork',
];

/** The client's /networks calls; they belong to @berth/client's BerthClient, which must provide them. */
export function networkApiOf(client: object): NetworkApi {
  const missing = NETWORK_CALLS.filter((call) => typeof (client as Record<string, unknown>)[call] !== 'function');
  if (missing.length) throw new InternalError(`this berth client has no ${missing.join(', ')}`);
  return client as NetworkApi;
}
