import type { PortMapping } from './port-bindings.js';

/** An address on an interface, with its prefix length and the network's gateway. */
export interface InterfaceAddress {
  address: string;
  prefixLength: number;
  gateway?: string;
}

/** A container's place on one network (libnetwork's endpoint). */
export interface Endpoint {
  networkId: string;
  networkName: string;
  endpointId: string;
  /** The interface inside the container: eth0, eth1, … */
  interfaceName: string;
  macAddress: string;
  ipv4?: InterfaceAddress;
  ipv6?: InterfaceAddress;
  aliases: string[];
  /** Names the embedded DNS server answers for this endpoint (Docker's DNSNames). */
  dnsNames: string[];
  /** The static addresses asked for (`--ip`, `--ip6`), kept for inspect's IPAMConfig. */
  requestedIPv4?: string;
  requestedIPv6?: string;
}

/** A running container's network namespace and what is set up in it (libnetwork's sandbox). */
export interface Sandbox {
  containerId: string;
  /** Without the leading slash. */
  containerName: string;
  /** The bind-mounted network namespace file the task joins. */
  netns: string;
  endpoints: Endpoint[];
  ports: PortMapping[];
  /** `--dns` servers: where the embedded DNS server sends names it does not know. */
  dnsServers: string[];
}
