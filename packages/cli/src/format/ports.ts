import { byteOrder } from './go-order.js';

/** One entry of a container summary's `Ports`. */
export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/**
 * The PORTS column as docker prints it: sorted, same-port bindings of consecutive ports merged
 * into ranges ("0.0.0.0:8000-8001->8000-8001/tcp"), exposed-only ports as "80/tcp", and bindings
 * to a different host port listed last ("0.0.0.0:8080->80/tcp").
 */
export function displayPorts(ports: PortSummary[]): string {
  const closed: string[] = [];
  const open = new Map<string, PortGroup>();
  const remapped: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    if (port.IP && port.PublicPort !== port.PrivatePort) {
      remapped.push(`${hostPort(port.IP, port.PublicPort ?? 0)}->${port.PrivatePort}/${port.Type}`);
      continue;
    }
    const key = `${port.IP ?? ''}/${port.Type}`;
    const group = open.get(key);
    if (group && port.PrivatePort === group.last + 1) {
      group.last = port.PrivatePort;
      continue;
    }
    if (group) closed.push(formatGroup(group));
    // Map keeps a key's first position, so open groups print in the order their key first appeared.
    open.set(key, { ip: port.IP || undefined, type: port.Type, first: port.PrivatePort, last: port.PrivatePort });
  }
  return [...closed, ...[...open.values()].map(formatGroup), ...remapped].join(', ');
}

interface PortGroup {
  ip: string | undefined;
  type: string;
  first: number;
  last: number;
}

function formatGroup(group: PortGroup): string {
  const range = group.first === group.last ? `${group.first}` : `${group.first}-${group.last}`;
  return group.ip ? `${hostPort(group.ip, range)}->${range}/${group.type}` : `${range}/${group.type}`;
}

function hostPort(ip: string, port: number | string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function comparePorts(a: PortSummary, b: PortSummary): number {
  return (
    a.PrivatePort - b.PrivatePort ||
    byteOrder(a.IP ?? '', b.IP ?? '') ||
    (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
    byteOrder(a.Type, b.Type)
  );
}
