import type { NetworkResource } from '@berth/api';
import { renderTemplate } from './go-template.js';
import { goTime, GoTime } from './go-time.js';
import { truncateId } from './ids.js';
import { DOCKER_TABLE, tabwrite } from './tabwriter.js';

/** The fields `network ls --format` offers, as docker's network formatter renders them. */
function networkRow(network: NetworkResource, truncate: boolean): Record<string, string> {
  const labels = Object.entries(network.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    CreatedAt: goTime(network.Created),
    Driver: network.Driver ?? '',
    ID: truncate ? truncateId(network.Id) : network.Id,
    IPv4: String(Boolean(network.EnableIPv4)),
    IPv6: String(Boolean(network.EnableIPv6)),
    Internal: String(Boolean(network.Internal)),
    Labels: labels.map(([k, v]) => `${k}=${v}`).join(','),
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
  const rows = networks.map((network) => networkRow(network, truncate));
  if (format === 'json') return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  const table = format.startsWith('table');
  // docker's formatter takes `\t` and `\n` written literally in the flag as tab and newline.
  const template = (table ? format.slice('table'.length) : format).trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const lines = rows.map((row) => renderTemplate(template, row));
  if (!table) return lines.map((line) => `${line}\n`).join('');
  return tabwrite([renderTemplate(template, HEADERS), ...lines], DOCKER_TABLE);
}

/** A network as docker's inspect templates see it: its Created a Go time.Time. */
export function networkTemplateData(network: NetworkResource): Omit<NetworkResource, 'Created'> & { Created: GoTime } {
  return { ...network, Created: new GoTime(network.Created) };
}
