import { randomBytes, createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConflictError,
  InternalError,
  rfc3339Nano,
  SerialQueue,
  ForbiddenError,
  InvalidArgumentError,
  type NetworkContainer,
  type NetworkCreateRequest,
  type NetworkCreateResponse,
  type NetworkPruneResponse,
  type NetworkResource,
} from '@berth/api';
import { prepareAtomicDir, writeFileAtomic } from '@berth/layer';
import { formatAddress, formatSubnet, parseAddress, parseSubnet, subnetContaining, type Address, type Subnet } from './ip.js';
import { allocateAddress, claimAddress, chooseSubnet, type AddressPool, type AllocationRange } from './ipam.js';
import type { DriverEndpoint, DriverRequest, NamespaceFiles, NetworkDriver } from './network-driver.js';
import { networkListFilter, networkPruneFilter } from './network-filters.js';
import { BRIDGE_NAME_OPTION, MTU_OPTION, newNetworkRecord, subnetsOf, type HostInterface } from './network-options.js';
import { hasDns, isBuiltIn, networkView, type NetworkRecord } from './network-record.js';
import { builtInNetwork, NetworkStore } from './network-store.js';
import { PortAllocator, type PortProbe } from './port-allocator.js';
import type { PortRequest } from './port-bindings.js';
import type { Endpoint, Sandbox } from './sandbox.js';

export interface NetworkEvent {
  action: 'create' | 'destroy' | 'connect' | 'disconnect';
  network: NetworkRecord;
  containerId?: string;
}

/** The default bridge network (`bridge`), unless `--bridge=none`. */
export interface DefaultBridge {
  /** The host's bridge interface. */
  interfaceName: string;
  /** dockerd's `--bip`: the bridge's address with the subnet's prefix length. */
  bip?: string;
  mtu?: number;
}

export interface NetworkManagerOptions {
  /** Network definitions (the data root). */
  stateDir: string;
  /** Sandboxes and namespace files of running containers (the exec root: gone with a reboot, as they are). */
  runDir: string;
  driver: NetworkDriver;
  namespaces: NamespaceFiles;
  ports: PortProbe;
  /** The subnets the host routes (new networks must not overlap them). */
  hostRoutes: () => Promise<Subnet[]>;
  /** The host's network interfaces and whether each is a bridge. */
  interfaces: () => Promise<ReadonlyMap<string, HostInterface>>;
  addressPools: readonly AddressPool[];
  defaultBridge?: DefaultBridge;
  /** `--iptables=false`: netavark always programs the firewall, so no bridge network can be used. */
  iptables: boolean;
  onEvent: (event: NetworkEvent) => void;
  log: { warn(message: string): void };
}

/** What a container asks of one network when it starts or connects. */
export interface EndpointRequest {
  network: string;
  aliases: string[];
  ipv4?: string;
  ipv6?: string;
  macAddress?: string;
}

export interface AttachRequest {
  containerId: string;
  containerName: string;
  endpoints: EndpointRequest[];
  ports: PortRequest[];
  dnsServers: string[];
}

/** The throwaway namespaces of bridge removals. */
const PURGE_PREFIX = 'purge-';

const derivedId = (text: string) => createHash('sha256').update(text).digest('hex');
const randomId = () => randomBytes(32).toString('hex');

/**
 * Networks and the sandboxes of running containers (libnetwork's controller): the store, IPAM and
 * port allocation are the engine's own; the driver port sets up namespaces, links, rules and DNS.
 */
export class NetworkManager {
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly portAllocator: PortAllocator;
  /** The default bridge under --bridge=none: gone from the list, still there for the teardown of containers on it. */
  private readonly retired = new Map<string, NetworkRecord>();
  /** Driver setups under way, by container: a detach waits for its attach to finish. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Networks whose bridge this daemon holds (NetworkDriver.holdBridge). */
  private readonly held = new Set<string>();
  /** Creations and removals of networks, one at a time: each checks names and subnets against the others. */
  private readonly definitions = new SerialQueue();

  private constructor(
    private readonly store: NetworkStore,
    private readonly o: NetworkManagerOptions,
  ) {
    this.portAllocator = new PortAllocator(o.ports);
  }

  static async open(o: NetworkManagerOptions): Promise<NetworkManager> {
    const store = await NetworkStore.open(o.stateDir, (file, err) => o.log.warn(`skipping unreadable network ${file}: ${String(err)}`));
    for (const name of ['host', 'none'] as const) store.keep(builtInNetwork(name, derivedId(`berth network ${name}`), rfc3339Nano(new Date())));
    const manager = new NetworkManager(store, o);
    await prepareAtomicDir(manager.sandboxDir);
    manager.loadSandboxes();
    await manager.removePurgeLeftovers();
    await manager.prepareDefaultBridge();
    return manager;
  }

  private get sandboxDir(): string {
    return join(this.o.runDir, 'sandboxes');
  }

  private loadSandboxes(): void {
    for (const entry of readdirSync(this.sandboxDir)) {
      if (!entry.endsWith('.json')) continue;
      try {
        const sandbox = JSON.parse(readFileSync(join(this.sandboxDir, entry), 'utf8')) as Sandbox;
        this.sandboxes.set(sandbox.containerId, sandbox);
        this.portAllocator.restore(sandbox.containerId, sandbox.ports);
      } catch (err) {
        this.o.log.warn(`skipping unreadable sandbox ${entry}: ${String(err)}`);
      }
    }
  }

  /** The default `bridge` network: kept across restarts, its subnet from `--bip` or the pools; absent with `--bridge=none`. */
  private async prepareDefaultBridge(): Promise<void> {
    const existing = this.store.all().find((n) => n.isDefault);
    const wanted = this.o.defaultBridge;
    const idle = existing !== undefined && this.endpointsOn(existing).length === 0;
    if (!wanted) {
      // Kept on disk: the next start with a bridge finds it again. Its bridge goes once nothing is on it.
      if (existing) {
        this.store.forget(existing.id);
        this.retired.set(existing.id, existing);
        if (idle) await this.purgeQuietly(existing);
      }
      return;
    }
    let subnets = existing?.subnets;
    const bip = wanted.bip ? parseBip(wanted.bip) : undefined;
    if (bip && subnets?.[0]?.subnet !== bip.subnet) {
      if (existing && !idle) this.o.log.warn(`--bip ${wanted.bip} takes effect once no running container is on the default bridge`);
      else subnets = [{ subnet: bip.subnet, gateway: bip.gateway, auxAddresses: {}, configured: true }];
    }
    if (!subnets) {
      const taken = [...this.otherSubnets(existing), ...(await this.o.hostRoutes()).filter((r) => r.prefix > 0)];
      const subnet = chooseSubnet(this.o.addressPools, 4, taken);
      subnets = [{ subnet: formatSubnet(subnet), gateway: formatAddress({ family: 4, value: subnet.base + 1n }), auxAddresses: {} }];
    }
    const record: NetworkRecord = {
      ...builtInNetwork('none', existing?.id ?? randomId(), ''),
      name: 'bridge',
      driver: 'bridge',
      created: existing?.created ?? rfc3339Nano(new Date()),
      isDefault: true,
      bridge: wanted.interfaceName,
      ...(wanted.mtu ? { mtu: wanted.mtu } : {}),
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        [BRIDGE_NAME_OPTION]: wanted.interfaceName,
        [MTU_OPTION]: String(wanted.mtu ?? 1500),
      },
      subnets,
    };
    // A bridge made for another name or subnet would keep the old address and rules: it goes first.
    if (existing && idle && (existing.bridge !== record.bridge || existing.subnets[0]?.subnet !== record.subnets[0]?.subnet)) await this.purgeQuietly(existing);
    if (JSON.stringify(record) !== JSON.stringify(existing)) await this.store.save(record);
  }

  private otherSubnets(except?: NetworkRecord): Subnet[] {
    return this.store.all().filter((n) => n !== except).flatMap(subnetsOf);
  }

  private endpointsOn(network: NetworkRecord): Array<{ sandbox: Sandbox; endpoint: Endpoint }> {
    return [...this.sandboxes.values()].flatMap((sandbox) => sandbox.endpoints.filter((e) => e.networkId === network.id).map((endpoint) => ({ sandbox, endpoint })));
  }

  /** A network by ID, name or unique ID prefix. */
  resolve(ref: string): NetworkRecord {
    return this.store.get(ref);
  }

  find(ref: string): NetworkRecord | undefined {
    return this.store.find(ref);
  }

  list(filters: Record<string, string[]>): NetworkResource[] {
    const matches = networkListFilter(filters, (n) => this.endpointsOn(n).length > 0);
    return this.store
      .all()
      .filter(matches)
      .map((n) => networkView(n, {}));
  }

  inspect(ref: string): NetworkResource {
    const network = this.resolve(ref);
    const containers: Record<string, NetworkContainer> = {};
    for (const { sandbox, endpoint } of this.endpointsOn(network)) {
      containers[sandbox.containerId] = {
        Name: sandbox.containerName,
        EndpointID: endpoint.endpointId,
        MacAddress: endpoint.macAddress,
        IPv4Address: endpoint.ipv4 ? `${endpoint.ipv4.address}/${endpoint.ipv4.prefixLength}` : '',
        IPv6Address: endpoint.ipv6 ? `${endpoint.ipv6.address}/${endpoint.ipv6.prefixLength}` : '',
      };
    }
    return networkView(network, containers);
  }

  create(request: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    this.checkBridgesUsable();
    return this.definitions.run(async () => {
      const context = { networks: this.store.all(), routes: await this.o.hostRoutes(), pools: this.o.addressPools, interfaces: await this.o.interfaces() };
      const record = newNetworkRecord(request, randomId(), context);
      await this.store.save(record);
      this.o.onEvent({ action: 'create', network: record });
      return { Id: record.id, Warning: '' };
    });
  }

  remove(ref: string): Promise<void> {
    return this.definitions.run(() => this.removeNow(ref));
  }

  private async removeNow(ref: string): Promise<void> {
    const network = this.resolve(ref);
    if (isBuiltIn(network)) throw new ForbiddenError(`${network.name} is a pre-defined network and cannot be removed`);
    const active = this.endpointsOn(network);
    if (active.length > 0) {
      const names = active.map(({ sandbox }) => `name:"${sandbox.containerName}" id:"${sandbox.containerId.slice(0, 12)}"`).join(', ');
      throw new ConflictError(`error while removing network: network ${network.name} has active endpoints (${names})`);
    }
    // Out of the list before anything awaits: no container joins a network on its way out.
    this.store.forget(network.id);
    try {
      await this.purge(network);
      await this.store.remove(network.id);
    } catch (err) {
      this.store.keep(network);
      throw err;
    }
    this.o.onEvent({ action: 'destroy', network });
  }

  /** Holds the bridges of networks a container just joined, so that they outlive it. Only costs the first time. */
  private async hold(networks: readonly NetworkRecord[]): Promise<void> {
    for (const network of networks) {
      if (this.held.has(network.id)) continue;
      try {
        await this.o.driver.holdBridge(network);
        this.held.add(network.id);
      } catch (err) {
        this.o.log.warn(`keeping the bridge of network ${network.name}: ${String(err)}`);
      }
    }
  }

  /**
   * Removes a bridge this engine holds, with its firewall rules: releases the hold, then sets up and
   * tears down a throwaway namespace, whose teardown as the last one on the bridge takes everything with
   * it. A bridge it does not hold (someone else's, or one netavark removed already) is left alone. On
   * failure the hold is taken again, so that nothing is left half-removed.
   */
  private async purge(network: NetworkRecord): Promise<void> {
    this.held.delete(network.id);
    if (network.driver !== 'bridge' || !this.o.driver.holdsBridge(network, await this.o.interfaces())) return;
    if (!this.o.iptables) {
      this.o.log.warn(`the bridge ${network.bridge} of network ${network.name} and its rules stay: removing them takes firewall changes, which --iptables=false forbids`);
      return;
    }
    await this.o.driver.releaseBridge(network);
    const netns = join(this.o.runDir, 'netns', `${PURGE_PREFIX}${network.id.slice(0, 12)}`);
    let created = false;
    try {
      const request: DriverRequest = { containerId: randomId(), containerName: 'berth-purge', endpoints: [this.endpointFor(network, { network: network.id, aliases: [] }, 'eth0', randomId())], ports: [], dnsServers: [] };
      await this.o.namespaces.create(netns);
      created = true;
      try {
        await this.o.driver.setup(netns, request);
      } finally {
        await this.o.driver.teardown(netns, request);
      }
    } catch (err) {
      // netavark goes on tearing down after a failed step (such as signalling an aardvark-dns that has just
      // exited: "aardvark pid not found"), so the bridge and its rules may be gone all the same.
      // If listing the interfaces fails too, the bridge is taken as still there: netavark's error is the one to report.
      const bridgeGone = await this.o.interfaces().then((names) => !names.has(network.bridge!), () => false);
      if (bridgeGone) {
        this.o.log.warn(`removed the bridge ${network.bridge} of network ${network.name}, though netavark reported: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      await this.o.driver.holdBridge(network).catch(() => undefined);
      throw new InternalError(`removing the bridge ${network.bridge} of network ${network.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      if (created) await this.o.namespaces.remove(netns).catch(() => undefined);
    }
  }

  private async purgeQuietly(network: NetworkRecord): Promise<void> {
    await this.purge(network).catch((err: unknown) => this.o.log.warn(String(err)));
  }

  /** Namespaces of purges a dead daemon left: removing one takes its veth off the bridge. */
  private async removePurgeLeftovers(): Promise<void> {
    const dir = join(this.o.runDir, 'netns');
    for (const entry of await readdir(dir).catch(() => [])) {
      if (entry.startsWith(PURGE_PREFIX)) await this.o.namespaces.remove(join(dir, entry)).catch(() => undefined);
    }
  }

  /** Waits for the setups and network changes under way (at shutdown: a netavark cut off halfway leaves links and rules). */
  async close(): Promise<void> {
    await Promise.all(this.pending.values());
    await this.definitions.run(async () => undefined);
  }

  prune(filters: Record<string, string[]>): Promise<NetworkPruneResponse> {
    return this.definitions.run(() => this.pruneNow(filters));
  }

  private async pruneNow(filters: Record<string, string[]>): Promise<NetworkPruneResponse> {
    const matches = networkPruneFilter(filters, new Date());
    const deleted: string[] = [];
    for (const network of this.store.all()) {
      if (isBuiltIn(network) || !matches(network) || this.endpointsOn(network).length > 0) continue;
      try {
        await this.removeNow(network.id);
      } catch (err) {
        this.o.log.warn(`prune kept network ${network.name}: ${String(err)}`);
        continue;
      }
      deleted.push(network.name);
    }
    return { NetworksDeleted: deleted.length > 0 ? deleted : null };
  }

  private checkBridgesUsable(): void {
    if (!this.o.iptables) throw new InvalidArgumentError('bridge networks need firewall rules, which berthd started with --iptables=false does not set up');
  }

  sandbox(containerId: string): Sandbox | undefined {
    return this.sandboxes.get(containerId);
  }

  sandboxIds(): string[] {
    return [...this.sandboxes.keys()];
  }

  private addressesInUse(network: NetworkRecord): Set<bigint> {
    const inUse = new Set<bigint>();
    for (const { endpoint } of this.endpointsOn(network)) {
      for (const address of [endpoint.ipv4?.address, endpoint.ipv6?.address]) {
        const parsed = address ? parseAddress(address) : undefined;
        if (parsed) inUse.add(parsed.value);
      }
    }
    return inUse;
  }

  /** Chooses an endpoint's addresses: the static ones asked for, else the next free one of each subnet. */
  private allocate(network: NetworkRecord, request: EndpointRequest, inUse: Set<bigint>): Address[] {
    const addresses: Address[] = [];
    for (const record of network.subnets) {
      const subnet = parseSubnet(record.subnet);
      const gateway = record.gateway ? parseAddress(record.gateway) : undefined;
      const range: AllocationRange = {
        subnet,
        ...(record.ipRange ? { range: parseSubnet(record.ipRange) } : {}),
        reserved: [...(gateway ? [gateway.value] : []), ...Object.values(record.auxAddresses).map((a) => parseAddress(a)!.value)],
      };
      const wanted = subnet.family === 4 ? request.ipv4 : request.ipv6;
      let address: Address;
      if (wanted && !record.configured) throw new InvalidArgumentError('user specified IP address is supported only when connecting to networks with user configured subnets');
      if (wanted) {
        const parsed = parseAddress(wanted);
        if (!parsed) throw new InvalidArgumentError(`invalid IP address: ${wanted}`);
        claimAddress(range, parsed, inUse, wanted);
        address = parsed;
      } else {
        address = allocateAddress(range, inUse);
      }
      inUse.add(address.value);
      addresses.push(address);
    }
    for (const [family, wanted] of [[4, request.ipv4], [6, request.ipv6]] as const) {
      if (wanted && !addresses.some((a) => a.family === family)) {
        throw new InvalidArgumentError(`invalid endpoint settings: no configured subnet or ip-range contain the IP address ${wanted}`);
      }
    }
    return addresses;
  }

  private driverEndpoint(network: NetworkRecord, request: EndpointRequest, interfaceName: string, containerId: string): DriverEndpoint {
    if (network.driver !== 'bridge') throw new InvalidArgumentError(`container cannot be connected to both a ${network.name} network and others`);
    this.checkBridgesUsable();
    return this.endpointFor(network, request, interfaceName, containerId);
  }

  /** An endpoint's driver view, its addresses chosen. */
  private endpointFor(network: NetworkRecord, request: EndpointRequest, interfaceName: string, containerId: string): DriverEndpoint {
    const addresses = this.allocate(network, request, this.addressesInUse(network));
    return {
      network,
      interfaceName,
      addresses: addresses.map(formatAddress),
      ...(request.macAddress ? { macAddress: request.macAddress } : {}),
      aliases: [...new Set([...request.aliases, containerId.slice(0, 12)])],
    };
  }

  private toEndpoint(d: DriverEndpoint, request: EndpointRequest, containerName: string, result: { macAddress: string; addresses: Array<{ cidr: string; gateway?: string }> } | undefined): Endpoint {
    const endpoint: Endpoint = {
      networkId: d.network.id,
      networkName: d.network.name,
      endpointId: randomId(),
      interfaceName: d.interfaceName,
      macAddress: result?.macAddress ?? '',
      aliases: request.aliases,
      dnsNames: hasDns(d.network) ? [...new Set([containerName, ...d.aliases])] : [],
      ...(request.ipv4 ? { requestedIPv4: request.ipv4 } : {}),
      ...(request.ipv6 ? { requestedIPv6: request.ipv6 } : {}),
    };
    for (const address of result?.addresses ?? d.addresses.map((a) => ({ cidr: a }))) {
      const [ip = '', prefix = ''] = address.cidr.split('/');
      const subnet = d.network.subnets.find((s) => ip.includes(':') === s.subnet.includes(':'));
      const entry = { address: ip, prefixLength: Number(prefix || subnet?.subnet.split('/')[1]), ...(subnet?.gateway ? { gateway: subnet.gateway } : {}) };
      if (ip.includes(':')) endpoint.ipv6 = entry;
      else endpoint.ipv4 = entry;
    }
    return endpoint;
  }

  private async saveSandbox(sandbox: Sandbox): Promise<void> {
    await writeFileAtomic(join(this.sandboxDir, `${sandbox.containerId}.json`), JSON.stringify(sandbox), 0o600);
  }

  private driverRequest(sandbox: Sandbox, endpoints: DriverEndpoint[]): DriverRequest {
    return { containerId: sandbox.containerId, containerName: sandbox.containerName, endpoints, ports: sandbox.ports, dnsServers: sandbox.dnsServers };
  }

  /** The driver's view of a sandbox's endpoints, from what was recorded. */
  private recordedEndpoints(sandbox: Sandbox, only?: Endpoint): DriverEndpoint[] {
    return sandbox.endpoints
      .filter((e) => !only || e === only)
      .flatMap((e) => {
        const network = this.store.find(e.networkId) ?? this.retired.get(e.networkId);
        if (!network) return [];
        return [{ network, interfaceName: e.interfaceName, addresses: [e.ipv4?.address, e.ipv6?.address].filter((a): a is string => !!a), macAddress: e.macAddress, aliases: e.dnsNames.filter((n) => n !== sandbox.containerName) }];
      });
  }

  /**
   * Creates the container's namespace, chooses its addresses and host ports, and starts joining it to
   * its networks: `ready` settles once the driver is done, so the task can be created meanwhile (it must
   * not start before). Recorded before the driver runs, so that a daemon that dies half-way tears it
   * down on its next start.
   */
  async attach(request: AttachRequest): Promise<{ sandbox: Sandbox; ready: Promise<void> }> {
    if (this.sandboxes.has(request.containerId)) throw new ConflictError(`container ${request.containerId} is already attached to its networks`);
    const networks = request.endpoints.map((e) => this.resolve(e.network));
    const sandbox: Sandbox = {
      containerId: request.containerId,
      containerName: request.containerName,
      netns: join(this.o.runDir, 'netns', request.containerId),
      endpoints: [],
      ports: [],
      dnsServers: request.dnsServers,
    };
    // Addresses are chosen synchronously: a concurrent attach sees them taken through this sandbox.
    this.sandboxes.set(sandbox.containerId, sandbox);
    let driverEndpoints: DriverEndpoint[];
    try {
      driverEndpoints = networks.map((network, i) => this.driverEndpoint(network, request.endpoints[i]!, `eth${i}`, request.containerId));
      sandbox.endpoints = driverEndpoints.map((d, i) => this.toEndpoint(d, request.endpoints[i]!, request.containerName, undefined));
      checkForwardable(request.ports, sandbox.endpoints);
      sandbox.ports = await this.portAllocator.allocate(sandbox.containerId, request.ports);
      await this.saveSandbox(sandbox);
      await this.o.namespaces.create(sandbox.netns);
    } catch (err) {
      await this.forget(sandbox.containerId);
      throw err;
    }
    const ready = this.setUp(sandbox, networks, driverEndpoints, request);
    this.pending.set(sandbox.containerId, ready.catch(() => undefined));
    return { sandbox, ready };
  }

  /** The driver's part of `attach`; on failure, everything `attach` made goes. */
  private async setUp(sandbox: Sandbox, networks: readonly NetworkRecord[], driverEndpoints: DriverEndpoint[], request: AttachRequest): Promise<void> {
    try {
      const result = await this.o.driver.setup(sandbox.netns, this.driverRequest(sandbox, driverEndpoints));
      sandbox.endpoints = driverEndpoints.map((d, i) => ({ ...this.toEndpoint(d, request.endpoints[i]!, request.containerName, result.interfaces[d.interfaceName]), endpointId: sandbox.endpoints[i]!.endpointId }));
      await this.saveSandbox(sandbox);
      await this.hold(networks);
    } catch (err) {
      // netavark leaves what a failed setup made (links, rules): its teardown removes them.
      await this.o.driver.teardown(sandbox.netns, this.driverRequest(sandbox, driverEndpoints)).catch(() => undefined);
      await this.o.namespaces.remove(sandbox.netns).catch(() => undefined);
      await this.forget(sandbox.containerId);
      throw err;
    } finally {
      this.pending.delete(sandbox.containerId);
    }
    for (const network of networks) this.o.onEvent({ action: 'connect', network, containerId: sandbox.containerId });
  }

  /** Undoes `attach`: rules, links and namespace go, addresses and ports are released. A container without a sandbox is a no-op. */
  async detach(containerId: string): Promise<void> {
    await this.pending.get(containerId);
    const sandbox = this.sandboxes.get(containerId);
    if (!sandbox) return;
    try {
      await this.o.driver.teardown(sandbox.netns, this.driverRequest(sandbox, this.recordedEndpoints(sandbox)));
    } catch (err) {
      this.o.log.warn(`network teardown of ${containerId}: ${String(err)}`);
    }
    await this.o.namespaces.remove(sandbox.netns).catch((err: unknown) => this.o.log.warn(`removing the network namespace of ${containerId}: ${String(err)}`));
    await this.forget(containerId);
    for (const endpoint of sandbox.endpoints) {
      const network = this.store.find(endpoint.networkId);
      if (network) this.o.onEvent({ action: 'disconnect', network, containerId });
    }
  }

  private async forget(containerId: string): Promise<void> {
    this.sandboxes.delete(containerId);
    this.portAllocator.release(containerId);
    await rm(join(this.sandboxDir, `${containerId}.json`), { force: true });
  }

  /** `network connect` of a running container: one more interface in its namespace. */
  async connect(containerId: string, request: EndpointRequest): Promise<Endpoint> {
    const sandbox = this.sandboxes.get(containerId);
    if (!sandbox) throw new ConflictError(`container ${containerId} has no network namespace`);
    const network = this.resolve(request.network);
    if (sandbox.endpoints.some((e) => e.networkId === network.id)) throw new ForbiddenError(`endpoint with name ${sandbox.containerName} already exists in network ${network.name}`);
    const used = new Set(sandbox.endpoints.map((e) => e.interfaceName));
    let index = 0;
    while (used.has(`eth${index}`)) index++;
    const d = this.driverEndpoint(network, request, `eth${index}`, containerId);
    const placeholder = this.toEndpoint(d, request, sandbox.containerName, undefined);
    sandbox.endpoints.push(placeholder);
    try {
      await this.saveSandbox(sandbox);
      const result = await this.o.driver.setup(sandbox.netns, this.driverRequest(sandbox, [d]));
      Object.assign(placeholder, this.toEndpoint(d, request, sandbox.containerName, result.interfaces[d.interfaceName]), { endpointId: placeholder.endpointId });
      await this.saveSandbox(sandbox);
      await this.hold([network]);
    } catch (err) {
      sandbox.endpoints = sandbox.endpoints.filter((e) => e !== placeholder);
      await this.saveSandbox(sandbox).catch(() => undefined);
      throw err;
    }
    this.o.onEvent({ action: 'connect', network, containerId });
    return placeholder;
  }

  /** `network disconnect` of a running container: its interface on that network goes. */
  async disconnect(containerId: string, network: NetworkRecord): Promise<void> {
    const sandbox = this.sandboxes.get(containerId);
    const endpoint = sandbox?.endpoints.find((e) => e.networkId === network.id);
    if (!sandbox || !endpoint) return;
    await this.o.driver.teardown(sandbox.netns, this.driverRequest(sandbox, this.recordedEndpoints(sandbox, endpoint)));
    sandbox.endpoints = sandbox.endpoints.filter((e) => e !== endpoint);
    await this.saveSandbox(sandbox);
    this.o.onEvent({ action: 'disconnect', network, containerId });
  }
}

/**
 * Ports are forwarded by firewall rules, without a proxy: an IPv6 host address reaches only a container
 * with an IPv6 address, and never through ::1 (netavark does not forward IPv6 loopback).
 */
function checkForwardable(ports: readonly PortRequest[], endpoints: readonly Endpoint[]): void {
  for (const { hostIp } of ports) {
    if (!hostIp.includes(':')) continue;
    if (hostIp === '::1') throw new InvalidArgumentError('berth cannot publish a port on ::1: its port forwarding (netavark) does not forward IPv6 loopback');
    if (!endpoints.some((e) => e.ipv6)) throw new InvalidArgumentError(`berth cannot publish a port on the IPv6 address ${hostIp} of a container without an IPv6 address (no userland proxy)`);
  }
}

/** `--bip 172.17.0.1/16`: the bridge's address and its subnet. */
function parseBip(bip: string): { subnet: string; gateway: string } {
  const [address = '', prefix = ''] = bip.split('/');
  const gateway = parseAddress(address);
  if (!gateway || gateway.family !== 4 || !/^\d+$/.test(prefix) || Number(prefix) > 30) {
    throw new InvalidArgumentError(`invalid --bip ${bip}: an IPv4 address with its prefix length is expected (172.17.0.1/16)`);
  }
  return { subnet: formatSubnet(subnetContaining(gateway, Number(prefix))), gateway: formatAddress(gateway) };
}
