import type { NetworkResource } from '@berth/api';
import { goTime, GoTime } from './go-time.js';
import { truncateId } from './ids.js';
import { formatList, joinLabels } from './list-format.js';

/** The fields `network ls --format` offers, as docker's network formatter renders them. */
function networkRow(network: NetworkResource, truncate: boolean): Record<string, string> {
  return {
    CreatedAt: goTime(network.Created),
    Driver: network.Driver ?? '',
    ID: truncate ? truncateId(network.Id) : network.Id,
    IPv4: String(Boolean(network.EnableIPv4)),
    IPv6: String(Boolean(network.EnableIPv6)),
    Internal: String(Boolean(network.Internal)),
    Labels: joinLabels(network.Labels),
    Name: network.Name,
    Scope: network.Scope ?? '',
  };
}

const HEADERS: Record<string, string> = {
  CreatedAt: 'CREATED AT',
  Driver: 'DRIVER',
  ID: 'NETWORK ID',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  Name: 'NAME',
  Scope: 'SCOPE',
};

export const DEFAULT_NETWORK_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** `network ls` output for a format: `table …` (with headers, aligned), `json`, or a template per line. */
export function formatNetworks(networks: NetworkResource[], format: string, truncate: boolean): string {
  return formatList(
    networks.map((network) => networkRow(network, truncate)),
    format,
    HEADERS,
    DEFAULT_NETWORK_TABLE,
  );
}

/** A network as docker's inspect templates see it: its Created a Go time.Time. */
export function networkTemplateData(network: NetworkResource): Omit<NetworkResource, 'Created'> & { Created: GoTime } {
  return { ...network, Created: new GoTime(network.Created) };
}
