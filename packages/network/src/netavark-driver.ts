import { mkdir } from 'node:fs/promises';
import { InternalError, ProgramFailure, SerialQueue } from '@berth/api';
import type { DriverRequest, DriverResult, NetworkDriver } from './network-driver.js';
import { hasDns, type NetworkRecord } from './network-record.js';
import { runTool } from './system-tools.js';

export interface NetavarkOptions {
  binary: string;
  /** iproute2's ip, for the veth that holds a bridge. */
  ip: string;
  aardvarkBinary: string;
  /** Where netavark keeps aardvark-dns's files (a tmpfs: they describe running containers). */
  configDir: string;
}

/** netavark's description of a network (its types.rs `Network`). */
function networkInfo(network: NetworkRecord) {
  return {
    name: network.name,
    id: network.id,
    driver: 'bridge',
    network_interface: network.bridge,
    subnets: network.subnets.map((s) => ({ subnet: s.subnet, ...(s.gateway ? { gateway: s.gateway } : {}) })),
    ipv6_enabled: network.enableIPv6,
    internal: network.internal,
    dns_enabled: hasDns(network),
    // Docker keeps bridge networks from reaching each other.
    options: { isolate: 'true', ...(network.mtu ? { mtu: String(network.mtu) } : {}) },
    ipam_options: { driver: 'host-local' },
  };
}

/** netavark's `NetworkOptions`, keyed by network name as it wants. */
function networkOptions(request: DriverRequest) {
  return {
    container_id: request.containerId,
    container_name: request.containerName,
    // Docker publishes no port on an internal network.
    port_mappings: request.endpoints.some((e) => !e.network.internal)
      ? request.ports.map((p) => ({ host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: 1, protocol: p.protocol }))
      : [],
    networks: Object.fromEntries(
      request.endpoints.map((e) => [
        e.network.name,
        {
          interface_name: e.interfaceName,
          static_ips: e.addresses,
          ...(e.macAddress ? { static_mac: e.macAddress } : {}),
          ...(hasDns(e.network) ? { aliases: e.aliases } : {}),
        },
      ]),
    ),
    network_info: Object.fromEntries(request.endpoints.map((e) => [e.network.name, networkInfo(e.network)])),
    ...(request.dnsServers.length > 0 ? { dns_servers: request.dnsServers } : {}),
  };
}

interface StatusBlock {
  dns_server_ips?: string[] | null;
  interfaces?: Record<string, { mac_address: string; subnets?: Array<{ ipnet: string; gateway?: string | null }> | null }> | null;
}

/** The veth pair that holds a network's bridge: named after the network (15 characters at most). */
function holderNames(network: NetworkRecord): [string, string] {
  return [`bk-${network.id.slice(0, 12)}`, `bp-${network.id.slice(0, 12)}`];
}

/** netavark's error output is `{"error": "..."}` on stdout. */
function netavarkError(err: unknown, action: string): Error {
  if (!(err instanceof ProgramFailure)) return err as Error;
  let message = err.stderr.trim() || err.message;
  try {
    message = (JSON.parse(err.stdout) as { error?: string }).error ?? message;
  } catch {
    // Not JSON: keep stderr.
  }
  return new InternalError(`network ${action} failed: ${message}`, { cause: err });
}

/**
 * The network stack: podman's netavark (bridges, veths, iptables rules) with aardvark-dns for names.
 * netavark runs one at a time: concurrent runs race on creating the same bridge and firewall chains.
 */
export function netavarkDriver(o: NetavarkOptions): NetworkDriver {
  const queue = new SerialQueue();
  const invoke = async (command: 'setup' | 'teardown', netns: string, request: DriverRequest): Promise<string> => {
    await mkdir(o.configDir, { recursive: true, mode: 0o700 });
    return queue.run(() => runTool(o.binary, ['--config', o.configDir, '--aardvark-binary', o.aardvarkBinary, command, netns], { input: JSON.stringify(networkOptions(request)) })).catch(
      (err: unknown) => {
        throw netavarkError(err, command);
      },
    );
  };
  return {
    async setup(netns, request) {
      const status = JSON.parse(await invoke('setup', netns, request)) as Record<string, StatusBlock>;
      const result: DriverResult = { interfaces: {}, dnsServers: [] };
      for (const block of Object.values(status)) {
        for (const [name, iface] of Object.entries(block.interfaces ?? {})) {
          result.interfaces[name] = {
            macAddress: iface.mac_address,
            addresses: (iface.subnets ?? []).map((s) => ({ cidr: s.ipnet, ...(s.gateway ? { gateway: s.gateway } : {}) })),
          };
        }
        result.dnsServers.push(...(block.dns_server_ips ?? []));
      }
      return result;
    },
    async teardown(netns, request) {
      await invoke('teardown', netns, request);
    },
    async holdBridge(network) {
      const [holder, peer] = holderNames(network);
      const mtu = network.mtu ? ['mtu', String(network.mtu)] : [];
      await queue
        .run(() => runTool(o.ip, ['link', 'add', holder, ...mtu, 'master', network.bridge!, 'type', 'veth', 'peer', 'name', peer, ...mtu]))
        .catch(async (err: unknown) => {
          if (!(err instanceof ProgramFailure && /File exists/.test(err.stderr))) throw netavarkError(err, 'hold');
          // Held already, perhaps on the bridge a network had before (a renamed default bridge): on this one now.
          await queue.run(() => runTool(o.ip, ['link', 'set', holder, 'master', network.bridge!])).catch((again: unknown) => {
            throw netavarkError(again, 'hold');
          });
        });
    },
    holdsBridge(network, interfaces) {
      return network.bridge !== undefined && interfaces.get(holderNames(network)[0])?.master === network.bridge;
    },
    async releaseBridge(network) {
      await queue
        .run(() => runTool(o.ip, ['link', 'del', holderNames(network)[0]]))
        .catch((err: unknown) => {
          if (!(err instanceof ProgramFailure && /Cannot find device/.test(err.stderr))) throw netavarkError(err, 'release');
        });
    },
  };
}
