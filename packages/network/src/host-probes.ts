import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { InvalidArgumentError } from '@berth/api';
import type { Subnet } from './ip.js';
import type { HostInterface } from './network-options.js';
import type { PortProbe } from './port-allocator.js';
import type { Protocol } from './port-bindings.js';
import { runTool } from './system-tools.js';

type BindResult = 'free' | 'busy' | 'unavailable';

/** Whether a listening socket can be bound there: a host process holding the port makes it busy. */
function tryBind(host: string, port: number, protocol: Protocol): Promise<BindResult> {
  const outcome = (err: NodeJS.ErrnoException): BindResult => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? 'busy' : 'unavailable');
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', (err) => {
        socket.close();
        resolve(outcome(err));
      });
      socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve('free')));
      return;
    }
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(outcome(err)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/** Ports on the engine's host, probed by binding (SCTP cannot be probed from Node and counts as free). */
export function hostPortProbe(): PortProbe {
  return {
    async isFree(hostIp, port, protocol) {
      if (protocol === 'sctp') return true;
      if (hostIp !== '') {
        const result = await tryBind(hostIp, port, protocol);
        // An address the host does not have, as Docker's proxy finds when it binds it.
        if (result === 'unavailable') throw new InvalidArgumentError(`listen ${protocol}${hostIp.includes(':') ? '6' : '4'} ${hostIp.includes(':') ? `[${hostIp}]` : hostIp}:${port}: bind: cannot assign requested address`);
        return result === 'free';
      }
      // A host without IPv6 has no :: to bind: only IPv4 counts then.
      return (await tryBind('0.0.0.0', port, protocol)) === 'free' && (await tryBind('::', port, protocol)) !== 'busy';
    },
    async ephemeralRange() {
      const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
      const [low, high] = text.trim().split(/\s+/).map(Number);
      return low && high && low <= high ? [low, high] : [49153, 65535];
    },
  };
}

function littleEndianHex(text: string): bigint {
  const bytes = text.match(/../g) ?? [];
  return BigInt(`0x${bytes.reverse().join('') || '0'}`);
}

/** The IPv4 and IPv6 subnets the host has routes to (/proc/net/route and /proc/net/ipv6_route), default routes left out. */
export async function hostRoutes(): Promise<Subnet[]> {
  const routes: Subnet[] = [];
  const v4 = await readFile('/proc/net/route', 'utf8').catch(() => '');
  for (const line of v4.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const mask = littleEndianHex(fields[7]!);
    const prefix = mask.toString(2).replace(/0+$/, '').length;
    if (prefix > 0) routes.push({ family: 4, base: littleEndianHex(fields[1]!) & mask, prefix });
  }
  const v6 = await readFile('/proc/net/ipv6_route', 'utf8').catch(() => '');
  for (const line of v6.split('\n')) {
    const [destination, prefixHex, , , , , , , , iface] = line.trim().split(/\s+/);
    const prefix = prefixHex ? parseInt(prefixHex, 16) : 0;
    // Link-local and loopback routes exist on every interface; they say nothing about taken subnets.
    if (!destination || prefix === 0 || iface === 'lo' || destination.startsWith('fe80') || destination.startsWith('ff')) continue;
    routes.push({ family: 6, base: BigInt(`0x${destination}`), prefix });
  }
  return routes;
}

/**
 * The kind of each network interface in the engine's namespace (`ip -d -j link show`; sysfs would show
 * the namespace /sys was mounted in, not necessarily the engine's).
 */
export async function hostInterfaces(ip = 'ip'): Promise<Map<string, HostInterface>> {
  const links = JSON.parse(await runTool(ip, ['-d', '-j', 'link', 'show'])) as Array<{ ifname: string; master?: string; linkinfo?: { info_kind?: string } }>;
  return new Map(links.map((link) => [link.ifname, { kind: link.linkinfo?.info_kind === 'bridge' ? 'bridge' : 'other', ...(link.master ? { master: link.master } : {}) }]));
}
