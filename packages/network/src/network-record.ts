import type { NetworkContainer, NetworkResource } from '@berth/api';

/** One subnet of a network, as created. */
export interface SubnetRecord {
  subnet: string;
  gateway?: string;
  ipRange?: string;
  auxAddresses: Record<string, string>;
  /** Given by the user (`--subnet`, `--bip`), not taken from the pools: only then may containers pick their address. */
  configured?: boolean;
}

/** A network as the store keeps it. `host` and `none` are built in and never stored. */
export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge' | 'host' | 'null';
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  labels: Record<string, string>;
  /** Driver options as the client gave them (Docker echoes them back in inspect). */
  options: Record<string, string>;
  ipamDriver: string;
  ipamOptions: Record<string, string> | null;
  subnets: SubnetRecord[];
  /** The bridge interface on the host (bridge driver only). */
  bridge?: string;
  /** The MTU given with `com.docker.network.driver.mtu`. */
  mtu?: number;
  /** The engine's default network (`bridge`): no name resolution, as in Docker. */
  isDefault?: boolean;
}

export const isBuiltIn = (network: NetworkRecord): boolean => network.driver !== 'bridge' || network.isDefault === true;

/** Containers get names resolved by the embedded DNS server on user-defined bridges only. */
export const hasDns = (network: NetworkRecord): boolean => network.driver === 'bridge' && !network.isDefault;

/** A map with its keys sorted, as Go's JSON encoder writes maps. */
function sorted<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `GET /networks/{id}`'s shape (moby's network.Inspect), in Docker's field order. */
export function networkView(network: NetworkRecord, containers: Record<string, NetworkContainer>): NetworkResource {
  return {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: 'local',
    Driver: network.driver,
    EnableIPv4: true,
    EnableIPv6: network.enableIPv6,
    IPAM: {
      Driver: network.ipamDriver,
      Options: network.ipamOptions,
      Config: network.subnets.map((s) => ({
        Subnet: s.subnet,
        ...(s.ipRange ? { IPRange: s.ipRange } : {}),
        ...(s.gateway ? { Gateway: s.gateway } : {}),
        ...(Object.keys(s.auxAddresses).length > 0 ? { AuxiliaryAddresses: sorted(s.auxAddresses) } : {}),
      })),
    },
    Internal: network.internal,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: sorted(containers),
    Options: sorted(network.options),
    Labels: sorted(network.labels),
  };
}
