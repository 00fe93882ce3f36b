import { ConflictError, InvalidArgumentError, NotFoundError, type EndpointRequest, type HostConfig } from '@berth/api';
import { parseAddress, portRequests, type NetworkManager, type Sandbox, type EndpointRequest as AttachEndpoint } from '@berth/network';
import { linkEnv, parseLink } from '../container/links.js';
import { configuredNetworkNames, modeNetworkName } from '../container/network-mode.js';
import type { ContainerEndpoint, ContainerRecord } from '../container/record.js';
import type { ContainerNetworkState, NetworkService, TaskNetwork } from '../ports.js';

function checkAddress(text: string | undefined, family: 4 | 6): void {
  if (!text) return;
  const address = parseAddress(text);
  if (!address || address.family !== family) throw new InvalidArgumentError(`invalid IPv${family} address: ${text}`);
}

/** A client's endpoint settings, checked, as the record keeps them. */
export function endpointOf(request: EndpointRequest | null | undefined): ContainerEndpoint {
  const ipv4 = request?.IPAMConfig?.IPv4Address || undefined;
  const ipv6 = request?.IPAMConfig?.IPv6Address || undefined;
  checkAddress(ipv4, 4);
  checkAddress(ipv6, 6);
  if ((request?.IPAMConfig?.LinkLocalIPs ?? []).length > 0) throw new InvalidArgumentError('berth does not support --link-local-ip yet');
  const macAddress = request?.MacAddress || undefined;
  if (macAddress && !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(macAddress)) throw new InvalidArgumentError(`invalid MAC address: ${macAddress}`);
  const driverOpts = request?.DriverOpts ?? {};
  if (Object.keys(driverOpts).length > 0) throw new InvalidArgumentError('berth does not support endpoint driver options (--driver-opt) yet');
  const links = request?.Links ?? [];
  for (const link of links) parseLink(link);
  const aliases = request?.Aliases ?? [];
  for (const alias of aliases) {
    // They reach the DNS server's one-line-per-container files: a space, comma or newline would corrupt them.
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(alias)) throw new InvalidArgumentError(`invalid network alias ${JSON.stringify(alias)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return { aliases, ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}), ...(macAddress ? { macAddress } : {}), links, driverOpts };
}

export interface ContainerNetworksOptions {
  manager: NetworkManager;
  /** Looks up the container a `container:<ref>` mode or a link names (NotFoundError when there is none). */
  findContainer(ref: string): ContainerRecord;
}

/** The daemon's network port over the network package's manager: Docker's rules for modes and endpoints. */
export function containerNetworks({ manager, findContainer }: ContainerNetworksOptions): NetworkService {
  /** The networks the container joins, by name (records from before networking have none: their mode's). */
  const endpointsOf = (c: ContainerRecord): Record<string, ContainerEndpoint> => {
    return c.endpoints ?? Object.fromEntries(configuredNetworkNames(c).map((name) => [name, endpointOf(undefined)]));
  };

  const findContainerOrNone = (ref: string): ContainerRecord | undefined => {
    try {
      return findContainer(ref);
    } catch {
      return undefined;
    }
  };

  /** The address a running container has on a network, for a link to it; moby's refusals otherwise. */
  const linkedAddress = (child: ContainerRecord, networkId: string, link: string): string => {
    if (!child.state.running) throw new ConflictError(`Cannot link to a non running container: ${child.name} AS ${link}`);
    const address = manager.sandbox(child.id)?.endpoints.find((e) => e.networkId === networkId)?.ipv4?.address;
    if (!address) throw new ConflictError(`Cannot link to ${child.name}, as it does not belong to the network of ${link}`);
    return address;
  };

  /**
   * What links give a container: /etc/hosts lines naming each linked container (its alias, hostname and
   * name), and on the default bridge moby's legacy environment. Links on a user-defined network are
   * per-endpoint (Docker resolves them in its DNS server; here /etc/hosts, as the start sees them).
   */
  const linksOf = (c: ContainerRecord, sandbox: Sandbox): Pick<TaskNetwork, 'hostEntries' | 'linkEnv'> => {
    const hostEntries: string[] = [];
    const env: string[] = [];
    const parent = c.name.replace(/^\//, '');
    const entry = (address: string, alias: string, child: ContainerRecord) => {
      const name = child.name.replace(/^\//, '');
      return `${address}\t${alias} ${child.config.Hostname}${alias === name ? '' : ` ${name}`}`;
    };
    const bridge = manager.find('bridge');
    const onBridge = bridge?.isDefault && sandbox.endpoints.some((e) => e.networkId === bridge.id);
    for (const text of onBridge ? (c.hostConfig.Links ?? []) : []) {
      const { child: childName, alias } = parseLink(text);
      const child = findContainer(childName);
      const address = linkedAddress(child, bridge!.id, `/${parent}/${alias}`);
      hostEntries.push(entry(address, alias, child));
      env.push(...linkEnv({ name: `/${parent}/${alias}`, ip: address, env: child.config.Env ?? [], exposedPorts: Object.keys(child.config.ExposedPorts ?? {}) }));
    }
    // On a user-defined network a link names a container that may come later (Docker resolves it when
    // asked): one not there yet at this start is left out.
    for (const [name, endpoint] of Object.entries(endpointsOf(c))) {
      const network = manager.find(name);
      if (!network || network.isDefault) continue;
      for (const text of endpoint.links) {
        const { child: childName, alias } = parseLink(text);
        const child = findContainerOrNone(childName);
        const address = child?.state.running ? manager.sandbox(child.id)?.endpoints.find((e) => e.networkId === network.id)?.ipv4?.address : undefined;
        if (child && address) hostEntries.push(entry(address, alias, child));
      }
    }
    return { hostEntries, linkEnv: env };
  };

  const taskNetworkOf = (containerId: string): Omit<TaskNetwork, 'namespace' | 'hostEntries' | 'linkEnv' | 'ready'> => {
    const sandbox = manager.sandbox(containerId);
    const endpoints = sandbox?.endpoints ?? [];
    const dns = endpoints.filter((e) => e.dnsNames.length > 0);
    const bridge = manager.find('bridge');
    const hostGateway = bridge?.isDefault ? bridge.subnets[0]?.gateway : undefined;
    return {
      addresses: endpoints.flatMap((e) => [e.ipv4?.address, e.ipv6?.address]).filter((a): a is string => !!a),
      ...(dns.length > 0 ? { nameservers: dns.map((e) => e.ipv4?.gateway ?? e.ipv6?.gateway).filter((a): a is string => !!a) } : {}),
      ...(hostGateway ? { hostGateway } : {}),
    };
  };

  return {
    plan(hc: HostConfig, networking) {
      const mode = hc.NetworkMode || 'default';
      // docker 28 keys the endpoint of `--network default` (its default) by the mode's name.
      const requested = Object.fromEntries(Object.entries(networking?.EndpointsConfig ?? {}).map(([ref, settings]) => [modeNetworkName(ref) ?? ref, settings]));
      const warnings: string[] = [];
      const hasPorts = Object.keys((hc.PortBindings ?? {}) as object).length > 0 || hc.PublishAllPorts === true;
      if (mode.startsWith('container:')) {
        if (hasPorts) throw new InvalidArgumentError('conflicting options: port publishing and the container type network mode');
        if (Object.keys(requested).length > 0) throw new InvalidArgumentError('conflicting options: network settings (--ip, --network-alias, --mac-address) and the container type network mode');
        if ((hc.Dns ?? []).length > 0 || (hc.ExtraHosts ?? []).length > 0) throw new InvalidArgumentError('conflicting options: dns and the network mode');
        return { endpoints: {}, warnings };
      }
      portRequests(hc.PortBindings, hc.PublishAllPorts === true, []);
      const primaryName = modeNetworkName(mode)!;
      // Under --bridge=none the default network does not exist; its containers get loopback only, as with dockerd.
      if (primaryName === 'bridge' && !manager.find('bridge')?.isDefault && Object.keys(requested).every((ref) => ref === 'bridge')) {
        return { endpoints: { bridge: endpointOf(requested.bridge) }, warnings };
      }
      // As with dockerd, a network that does not exist yet is looked up again at start (and fails there).
      const primary = manager.find(primaryName);
      const endpoints: Record<string, ContainerEndpoint> = {};
      const entries = Object.entries(requested);
      if (!entries.some(([ref]) => (manager.find(ref)?.id ?? ref) === (primary?.id ?? primaryName))) entries.unshift([primary?.name ?? primaryName, null]);
      for (const [ref, settings] of entries) {
        const network = manager.find(ref);
        const endpoint = endpointOf(settings);
        const userDefined = !network || (network.driver === 'bridge' && !network.isDefault);
        if (!userDefined && (endpoint.ipv4 || endpoint.ipv6)) throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
        if (!userDefined && endpoint.aliases.length > 0) throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
        endpoints[network?.name ?? ref] = endpoint;
      }
      // `--link` with a user-defined network: per-endpoint links of that network, as the docker CLI sends them.
      const primaryEndpoint = endpoints[primary?.name ?? primaryName];
      if (primaryEndpoint && (hc.Links ?? []).length > 0 && !(primary?.isDefault ?? false)) primaryEndpoint.links = [...new Set([...primaryEndpoint.links, ...(hc.Links ?? [])])];
      const names = Object.keys(endpoints);
      for (const special of ['host', 'none']) {
        if (names.includes(special) && names.length > 1) throw new InvalidArgumentError(`container cannot be connected to the ${special} network and to others`);
      }
      if (mode === 'host' && hasPorts) warnings.push('Published ports are discarded when using host network mode');
      return { endpoints, warnings };
    },

    async connect(c) {
      const mode = c.hostConfig.NetworkMode || 'default';
      if (mode === 'host') return { namespace: 'host', addresses: [], hostEntries: [], linkEnv: [], ready: Promise.resolve() };
      if (mode.startsWith('container:')) {
        const owner = findContainer(mode.slice('container:'.length));
        if (!owner.state.running || owner.state.pid <= 0) throw new ConflictError(`cannot join network namespace of a non running container: container ${owner.id} is not running`);
        return { namespace: { path: `/proc/${owner.state.pid}/ns/net`, fromContainer: true }, ...taskNetworkOf(owner.id), hostEntries: [], linkEnv: [], ready: Promise.resolve() };
      }
      const endpoints: AttachEndpoint[] = [];
      for (const [name, endpoint] of Object.entries(endpointsOf(c))) {
        const network = manager.find(name);
        // The default bridge is absent under --bridge=none: such containers get loopback only, as with dockerd.
        if (name === 'bridge' && !network?.isDefault) continue;
        if (!network) throw new NotFoundError(`network ${name} not found`);
        if (network.driver !== 'bridge') continue;
        endpoints.push({ network: network.id, aliases: endpoint.aliases, ...(endpoint.ipv4 ? { ipv4: endpoint.ipv4 } : {}), ...(endpoint.ipv6 ? { ipv6: endpoint.ipv6 } : {}), ...(endpoint.macAddress ? { macAddress: endpoint.macAddress } : {}) });
      }
      if (endpoints.length === 0) return { namespace: 'none', addresses: [], hostEntries: [], linkEnv: [], ready: Promise.resolve() };
      const { sandbox, ready } = await manager.attach({
        containerId: c.id,
        containerName: c.name.replace(/^\//, ''),
        endpoints,
        ports: portRequests(c.hostConfig.PortBindings, c.hostConfig.PublishAllPorts === true, Object.keys(c.config.ExposedPorts ?? {})),
        dnsServers: c.hostConfig.Dns ?? [],
      });
      try {
        return { namespace: { path: sandbox.netns }, ...taskNetworkOf(c.id), ...linksOf(c, sandbox), ready };
      } catch (err) {
        await ready.catch(() => undefined);
        await manager.detach(c.id).catch(() => undefined);
        throw err;
      }
    },

    disconnect: (c) => manager.detach(c.id),

    async connectRunning(c, name, endpoint) {
      await manager.connect(c.id, { network: name, aliases: endpoint.aliases, ...(endpoint.ipv4 ? { ipv4: endpoint.ipv4 } : {}), ...(endpoint.ipv6 ? { ipv6: endpoint.ipv6 } : {}), ...(endpoint.macAddress ? { macAddress: endpoint.macAddress } : {}) });
    },

    async disconnectRunning(c, name) {
      await manager.disconnect(c.id, manager.resolve(name));
    },

    resolveName: (ref) => manager.resolve(ref).name,

    state(c): ContainerNetworkState {
      const networks: ContainerNetworkState['networks'] = {};
      for (const name of Object.keys(endpointsOf(c))) {
        const network = manager.find(name);
        if (network && (name !== 'bridge' || network.isDefault)) networks[name] = { id: network.id, driver: network.driver };
      }
      const sandbox = manager.sandbox(c.id);
      return { networks, ...(sandbox ? { sandbox } : {}) };
    },
  };
}
