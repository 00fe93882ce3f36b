import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, rfc3339Nano, type IpamPool, type NetworkCreateRequest } from '@berth/api';
import { formatAddress, formatSubnet, parseAddress, parseSubnet, contains, type Address, type Family, type Subnet } from './ip.js';
import { allocateAddress, checkNoOverlap, chooseSubnet, claimAddress, DEFAULT_IPV6_POOL, type AddressPool, type AllocationRange } from './ipam.js';
import type { NetworkRecord, SubnetRecord } from './network-record.js';

export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
export const MTU_OPTION = 'com.docker.network.driver.mtu';

/** Bridge options Docker defines that this engine honours; each other option is refused. */
const ACCEPTED_VALUES: Record<string, (value: string) => boolean> = {
  [BRIDGE_NAME_OPTION]: () => true,
  [MTU_OPTION]: () => true,
  // netavark always lets containers of a network talk and always masquerades: only the defaults can be honoured.
  'com.docker.network.bridge.enable_icc': (v) => isGoTrue(v),
  'com.docker.network.bridge.enable_ip_masquerade': (v) => isGoTrue(v),
  'com.docker.network.bridge.host_binding_ipv4': (v) => v === '0.0.0.0',
};

/** Go's strconv.ParseBool true values, which moby's bridge options accept. */
const isGoTrue = (value: string): boolean => ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);

/** What creating a network needs besides the request: the networks that exist and the host's routes. */
/** A network interface of the host: its kind, and the bridge it is a port of. */
export interface HostInterface {
  kind: 'bridge' | 'other';
  master?: string;
}

export interface NetworkContext {
  networks: readonly NetworkRecord[];
  routes: readonly Subnet[];
  pools: readonly AddressPool[];
  /** The host's interfaces by name. */
  interfaces: ReadonlyMap<string, HostInterface>;
}

export function subnetsOf(network: NetworkRecord): Subnet[] {
  return network.subnets.map((s) => parseSubnet(s.subnet));
}

function checkOptions(options: Record<string, string>): { bridge?: string; mtu?: number } {
  for (const [key, value] of Object.entries(options)) {
    const accepts = ACCEPTED_VALUES[key];
    if (!accepts) throw new InvalidArgumentError(`berth does not support the network option ${key}`);
    if (!accepts(value)) throw new InvalidArgumentError(`berth does not support the network option ${key}=${value}`);
  }
  const bridge = options[BRIDGE_NAME_OPTION];
  if (bridge !== undefined && (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge) || bridge === '.' || bridge === '..')) throw new InvalidArgumentError(`invalid bridge name ${JSON.stringify(bridge)}: at most 15 letters, digits, '.', '-' or '_'`);
  const mtuText = options[MTU_OPTION];
  const mtu = mtuText === undefined ? undefined : Number(mtuText);
  if (mtu !== undefined && (!/^\d+$/.test(mtuText!) || mtu < 68 || mtu > 65535)) throw new InvalidArgumentError(`invalid MTU ${JSON.stringify(mtuText)}: must be between 68 and 65535`);
  return { ...(bridge ? { bridge } : {}), ...(mtu ? { mtu } : {}) };
}

function addressIn(text: string, subnet: Subnet, what: string, subnetText: string): Address {
  const address = parseAddress(text);
  if (!address) throw new InvalidArgumentError(`invalid ${what} address: ${text}`);
  if (!contains(subnet, address)) throw new InvalidArgumentError(`invalid network config: ${what} ${text} is not in subnet ${subnetText}`);
  return address;
}

/** Reserves an address of the subnet for the network itself, as moby's IPAM does for the gateway and aux addresses. */
function reserve(range: AllocationRange, address: Address, reserved: Set<bigint>, what: string): void {
  try {
    claimAddress(range, address, reserved, formatAddress(address));
  } catch (err) {
    throw new ForbiddenError(`failed to allocate ${what}: Address already in use`, { cause: err });
  }
  reserved.add(address.value);
}

/** One `IPAM.Config` entry, checked: the subnet, and the gateway, range and aux addresses inside it (all canonical). */
function subnetRecord(pool: IpamPool): { record: SubnetRecord; subnet: Subnet } {
  if (!pool.Subnet) throw new InvalidArgumentError('invalid network config: an IPAM config entry needs a subnet');
  const subnet = parseSubnet(pool.Subnet);
  const text = formatSubnet(subnet);
  let ipRange: string | undefined;
  if (pool.IPRange) {
    const range = parseSubnet(pool.IPRange);
    if (range.family !== subnet.family || range.prefix < subnet.prefix || !contains(subnet, { family: range.family, value: range.base })) {
      throw new InvalidArgumentError(`invalid network config: ip-range ${pool.IPRange} is not in subnet ${text}`);
    }
    ipRange = formatSubnet(range);
  }
  const whole: AllocationRange = { subnet, reserved: [] };
  const reserved = new Set<bigint>();
  const gateway = pool.Gateway ? addressIn(pool.Gateway, subnet, 'gateway', text) : allocateAddress(whole, reserved);
  reserve(whole, gateway, reserved, `gateway (${formatAddress(gateway)})`);
  const auxAddresses: Record<string, string> = {};
  for (const [name, value] of Object.entries(pool.AuxiliaryAddresses ?? {})) {
    const address = addressIn(value, subnet, 'auxiliary', text);
    reserve(whole, address, reserved, `secondary ip address (${name}:${value})`);
    auxAddresses[name] = formatAddress(address);
  }
  return { record: { subnet: text, gateway: formatAddress(gateway), ...(ipRange ? { ipRange } : {}), auxAddresses, configured: true }, subnet };
}

/** moby's default gateway: the subnet's first usable address. */
function defaultGateway(subnet: Subnet): string {
  return formatAddress(allocateAddress({ subnet, reserved: [] }, new Set()));
}

function allocatedSubnet(subnet: Subnet): SubnetRecord {
  return { subnet: formatSubnet(subnet), gateway: defaultGateway(subnet), auxAddresses: {} };
}

/** The subnets of a new network: those asked for (checked for overlaps), else one per family from the pools. */
function chooseSubnets(request: NetworkCreateRequest, enableIPv6: boolean, context: NetworkContext): SubnetRecord[] {
  const existing = context.networks.map((n) => ({ name: n.name, subnets: subnetsOf(n) }));
  const requested = (request.IPAM?.Config ?? []).map(subnetRecord);
  for (const [i, { subnet }] of requested.entries()) {
    checkNoOverlap(subnet, [...existing, { name: request.Name, subnets: requested.slice(0, i).map((r) => r.subnet) }], context.routes);
  }
  const has = (family: Family) => requested.some((r) => r.subnet.family === family);
  if (has(6) && !enableIPv6) throw new InvalidArgumentError('invalid network config: an IPv6 subnet needs IPv6 enabled (--ipv6)');
  const taken = [...existing.flatMap((n) => n.subnets), ...context.routes.filter((r) => r.prefix > 0), ...requested.map((r) => r.subnet)];
  const records = requested.map((r) => r.record);
  if (!has(4)) records.unshift(allocatedSubnet(chooseSubnet(context.pools, 4, taken)));
  if (enableIPv6 && !has(6)) records.push(allocatedSubnet(chooseSubnet([DEFAULT_IPV6_POOL], 6, taken)));
  return records;
}

/** A new user-defined network from `POST /networks/create`, with moby's checks and refusals. */
export function newNetworkRecord(request: NetworkCreateRequest, id: string, context: NetworkContext): NetworkRecord {
  const name = request.Name;
  if (name.trim() === '') throw new InvalidArgumentError('network name cannot be empty');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new InvalidArgumentError(`invalid network name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (context.networks.some((n) => n.name === name) || name === 'host' || name === 'none') throw new ConflictError(`network with name ${name} already exists`);
  const driver = request.Driver || 'bridge';
  if (driver === 'host' || driver === 'null') throw new ForbiddenError(`only one instance of "${driver}" network is allowed`);
  if (driver !== 'bridge') throw new NotFoundError(`plugin "${driver}" not found`);
  if (request.Ingress) throw new ForbiddenError('berth does not support ingress networks (they belong to swarm mode)');
  if (request.ConfigOnly || request.ConfigFrom?.Network) throw new InvalidArgumentError('berth does not support config-only networks (--config-only, --config-from)');
  if (request.Scope && request.Scope !== 'local') throw new InvalidArgumentError(`berth does not support the network scope ${request.Scope} (only local)`);
  if (request.EnableIPv4 === false) throw new InvalidArgumentError('berth does not support IPv6-only networks (--ipv4=false)');
  const ipamDriver = request.IPAM?.Driver || 'default';
  if (ipamDriver !== 'default') throw new NotFoundError(`plugin "${ipamDriver}" not found`);
  if (Object.keys(request.IPAM?.Options ?? {}).length > 0) throw new InvalidArgumentError('berth does not support IPAM driver options (--ipam-opt)');
  const options = request.Options ?? {};
  const { bridge = `br-${id.slice(0, 12)}`, mtu } = checkOptions(options);
  if (context.networks.some((n) => n.bridge === bridge)) throw new ConflictError(`bridge ${bridge} is already used by another network`);
  if (context.interfaces.get(bridge)?.kind === 'other') throw new ConflictError(`existing interface ${bridge} is not a bridge`);
  const enableIPv6 = request.EnableIPv6 === true;
  return {
    id,
    name,
    driver: 'bridge',
    created: rfc3339Nano(new Date()),
    internal: request.Internal === true,
    attachable: request.Attachable === true,
    enableIPv6,
    labels: request.Labels ?? {},
    options,
    ipamDriver,
    ipamOptions: request.IPAM?.Options ?? {},
    subnets: chooseSubnets(request, enableIPv6, context),
    bridge,
    ...(mtu ? { mtu } : {}),
  };
}
