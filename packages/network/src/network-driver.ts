import type { NetworkRecord } from './network-record.js';
import type { HostInterface } from './network-options.js';
import type { PortMapping } from './port-bindings.js';

/** One endpoint to set up in a namespace, with its addresses already chosen. */
export interface DriverEndpoint {
  network: NetworkRecord;
  interfaceName: string;
  addresses: string[];
  macAddress?: string;
  aliases: string[];
}

export interface DriverRequest {
  containerId: string;
  containerName: string;
  endpoints: DriverEndpoint[];
  ports: PortMapping[];
  dnsServers: string[];
}

/** What setup made: each interface's MAC and addresses (CIDR form), and the DNS servers to use. */
export interface DriverResult {
  interfaces: Record<string, { macAddress: string; addresses: Array<{ cidr: string; gateway?: string }> }>;
  dnsServers: string[];
}

/** The network stack (one adapter: netavark): bridges, veths, addresses, firewall rules and DNS. */
export interface NetworkDriver {
  setup(netns: string, request: DriverRequest): Promise<DriverResult>;
  teardown(netns: string, request: DriverRequest): Promise<void>;
  /**
   * Keeps a network's bridge and firewall rules between containers (netavark deletes them with the last
   * one: a bridge kept busy by a spare veth stays), as Docker keeps docker0. Idempotent.
   */
  holdBridge(network: NetworkRecord): Promise<void>;
  /** Undoes `holdBridge`; a network not held is a no-op. */
  releaseBridge(network: NetworkRecord): Promise<void>;
  /** Whether this engine holds the network's bridge (so the bridge is its own to remove). */
  holdsBridge(network: NetworkRecord, interfaces: ReadonlyMap<string, HostInterface>): boolean;
}

/** The network namespace files containers join (one adapter). */
export interface NamespaceFiles {
  /** A new network namespace, kept alive by a bind mount on `path`, its loopback up. */
  create(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}
