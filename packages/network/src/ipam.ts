import { ConflictError, ForbiddenError, InvalidArgumentError, UnavailableError } from '@berth/api';
import { contains, formatSubnet, nthAddress, overlaps, parseSubnet, sizeOf, type Address, type Family, type Subnet } from './ip.js';

/** dockerd's `default-address-pools` entry: subnets of `size` bits carved out of `base`. */
export interface AddressPool {
  base: string;
  size: number;
}

/** moby's defaults: 172.17-31.0.0/16, then /20s of 192.168.0.0/16. */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  ...Array.from({ length: 15 }, (_, i) => ({ base: `172.${17 + i}.0.0/16`, size: 16 })),
  { base: '192.168.0.0/16', size: 20 },
];

/** Where `--ipv6` networks without a subnet get one: /64s of a fixed unique-local prefix. */
export const DEFAULT_IPV6_POOL: AddressPool = { base: 'fd4d:6265:7274::/48', size: 64 };

/** Checks a `default-address-pools` entry: a subnet and a size at least its prefix. */
export function validateAddressPool(pool: AddressPool): void {
  const base = parseSubnet(pool.base);
  const bits = base.family === 4 ? 32 : 128;
  if (!Number.isInteger(pool.size) || pool.size < base.prefix || pool.size > bits) {
    throw new InvalidArgumentError(`invalid default address pool ${pool.base}: size ${pool.size} must be between ${base.prefix} and ${bits}`);
  }
}

/** The first subnet of the pools' family that overlaps none of `taken`. */
export function chooseSubnet(pools: readonly AddressPool[], family: Family, taken: readonly Subnet[]): Subnet {
  for (const pool of pools) {
    const base = parseSubnet(pool.base);
    if (base.family !== family) continue;
    const step = 1n << BigInt((family === 4 ? 32 : 128) - pool.size);
    // A handful of thousand candidates at most for any sensible pool; a /48 of /64s is cut short.
    const count = sizeOf(base) / step;
    for (let i = 0n; i < count && i < 65536n; i++) {
      const candidate: Subnet = { family, base: base.base + i * step, prefix: pool.size };
      if (!taken.some((subnet) => overlaps(subnet, candidate))) return candidate;
    }
  }
  throw new UnavailableError(`could not find an available, non-overlapping IPv${family} address pool among the defaults to assign to the network`);
}

/** Refuses a requested subnet that overlaps a network's or a route of the host's (moby: 403). */
export function checkNoOverlap(subnet: Subnet, networks: ReadonlyArray<{ name: string; subnets: readonly Subnet[] }>, routes: readonly Subnet[]): void {
  for (const network of networks) {
    if (network.subnets.some((other) => overlaps(other, subnet))) {
      throw new ForbiddenError(`invalid pool request: Pool overlaps with other one on this address space`);
    }
  }
  if (routes.some((route) => route.prefix > 0 && overlaps(route, subnet))) {
    throw new ForbiddenError(`invalid pool request: Pool overlaps with other one on this address space (the host has a route to ${formatSubnet(subnet)})`);
  }
}

/** One subnet of a network as the allocator sees it. */
export interface AllocationRange {
  subnet: Subnet;
  /** `--ip-range`: dynamic addresses come from here only. */
  range?: Subnet;
  /** The gateway and `--aux-address`es: never given to a container. */
  reserved: readonly bigint[];
}

/** The network address (IPv6: the subnet-router anycast one) and the IPv4 broadcast are no host's, except on a /31 or /32 (RFC 3021), as in moby. */
function isSpecial(subnet: Subnet, n: bigint): boolean {
  const last = sizeOf(subnet) - 1n;
  if (subnet.family === 6) return n === 0n;
  return last > 1n && (n === 0n || n === last);
}

function isUsable(r: AllocationRange, n: bigint, inUse: ReadonlySet<bigint>): boolean {
  const value = r.subnet.base + n;
  return !isSpecial(r.subnet, n) && !inUse.has(value) && !r.reserved.includes(value);
}

/** The lowest free address, as moby's allocator gives them on local networks (a released one comes back first). */
export function allocateAddress(r: AllocationRange, inUse: ReadonlySet<bigint>): Address {
  const scope = r.range ?? r.subnet;
  const size = sizeOf(scope);
  const offset = scope.base - r.subnet.base;
  const limit = size < 1n << 20n ? size : 1n << 20n;
  for (let i = 0n; i < limit; i++) {
    const n = offset + i;
    if (isUsable(r, n, inUse)) return nthAddress(r.subnet, n);
  }
  throw new UnavailableError(`no available IPv${r.subnet.family} addresses on this network's address pools: ${formatSubnet(r.subnet)}`);
}

/** Checks a static address (`--ip`): inside the subnet, not reserved, not taken. */
export function claimAddress(r: AllocationRange, address: Address, inUse: ReadonlySet<bigint>, text: string): void {
  if (!contains(r.subnet, address)) throw new InvalidArgumentError(`invalid endpoint settings: no configured subnet or ip-range contain the IP address ${text}`);
  if (!isUsable(r, address.value - r.subnet.base, inUse)) throw new ConflictError(`Address already in use`);
}
