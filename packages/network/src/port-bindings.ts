import { InvalidArgumentError } from '@berth/api';
import { formatAddress, parseAddress } from './ip.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** A published port as asked for: a host port, a range of them to pick from, or any free one. */
export interface PortRequest {
  containerPort: number;
  protocol: Protocol;
  /** '' for every address of the host. */
  hostIp: string;
  /** Inclusive; undefined: any free ephemeral port. */
  hostPorts?: [number, number];
}

/** A published port as set up. */
export interface PortMapping {
  containerPort: number;
  protocol: Protocol;
  hostIp: string;
  hostPort: number;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** moby's words for a bad port number, container or host side: the offending text, quoted. */
const invalidPort = (text: string) => new InvalidArgumentError(`invalid port specification: ${JSON.stringify(text)}`);

function portNumber(text: string, spec: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value > 65535) throw invalidPort(spec);
  return value;
}

/** `80`, `80/tcp`, `53/udp`: a key of ExposedPorts and PortBindings. */
export function parsePortKey(key: string): { port: number; protocol: Protocol } {
  const [portText = '', protocol = 'tcp', ...rest] = key.split('/');
  if (rest.length > 0 || !PROTOCOLS.has(protocol.toLowerCase())) throw invalidPort(key);
  const port = portNumber(portText, portText);
  if (port === 0) throw invalidPort(portText);
  return { port, protocol: protocol.toLowerCase() as Protocol };
}

function hostPorts(text: string): [number, number] | undefined {
  if (text === '' || text === '0') return undefined;
  const [start = '', end = start, ...rest] = text.split('-');
  if (rest.length > 0) throw invalidPort(text);
  const range: [number, number] = [portNumber(start, text), portNumber(end, text)];
  if (range[0] === 0 || range[1] < range[0]) throw invalidPort(text);
  return range;
}

function hostIp(text: string | undefined): string {
  if (!text) return '';
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  const address = parseAddress(bare);
  if (!address) throw new InvalidArgumentError(`invalid IP address: ${text}`);
  return formatAddress(address);
}

/**
 * HostConfig.PortBindings checked and flattened. `-P` publishes, on any free port, each exposed port
 * and each PortBindings key that has no binding (an empty or null list counts as none, as in moby).
 */
export function portRequests(bindings: unknown, publishAll: boolean, exposedPorts: readonly string[]): PortRequest[] {
  if (bindings !== undefined && bindings !== null && (typeof bindings !== 'object' || Array.isArray(bindings))) {
    throw new InvalidArgumentError('invalid HostConfig.PortBindings: an object of port to bindings is expected');
  }
  const entries = Object.entries((bindings ?? {}) as Record<string, unknown>);
  const requests: PortRequest[] = [];
  const bound = new Set<string>();
  for (const [key, list] of entries) {
    const { port, protocol } = parsePortKey(key);
    if (list === null) continue;
    if (!Array.isArray(list)) throw new InvalidArgumentError(`invalid HostConfig.PortBindings[${JSON.stringify(key)}]: a list of bindings is expected`);
    if (list.length > 0) bound.add(`${port}/${protocol}`);
    for (const binding of list as Array<{ HostIp?: unknown; HostPort?: unknown } | null>) {
      const ip = binding?.HostIp ?? '';
      const ports = binding?.HostPort ?? '';
      if (typeof ip !== 'string' || typeof ports !== 'string') throw new InvalidArgumentError(`invalid HostConfig.PortBindings[${JSON.stringify(key)}]: HostIp and HostPort are strings`);
      const range = hostPorts(ports);
      requests.push({ containerPort: port, protocol, hostIp: hostIp(ip), ...(range ? { hostPorts: range } : {}) });
    }
  }
  if (publishAll) {
    for (const key of [...exposedPorts, ...entries.map(([key]) => key)]) {
      const { port, protocol } = parsePortKey(key);
      if (bound.has(`${port}/${protocol}`)) continue;
      bound.add(`${port}/${protocol}`);
      requests.push({ containerPort: port, protocol, hostIp: '' });
    }
  }
  return requests;
}
