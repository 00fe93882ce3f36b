import ipaddr from 'ipaddr.js';
import { InvalidArgumentError } from '@berth/api';

export type Family = 4 | 6;

/** An address as a number, so that subnets can be walked and compared. */
export interface Address {
  family: Family;
  value: bigint;
}

export interface Subnet {
  family: Family;
  /** The network address (host bits zero). */
  base: bigint;
  prefix: number;
}

const bitsOf = (family: Family): number => (family === 4 ? 32 : 128);

function toAddress(parsed: ipaddr.IPv4 | ipaddr.IPv6): Address {
  const family: Family = parsed.kind() === 'ipv4' ? 4 : 6;
  const value = parsed.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  return { family, value };
}

/**
 * An IPv4 or IPv6 address (an IPv4-mapped IPv6 one stays IPv6, as Go's net.ParseIP keeps its 16 bytes).
 * A zone (`fe80::1%eth0`) is refused, as net.ParseIP refuses it, rather than silently dropped.
 */
export function parseAddress(text: string): Address | undefined {
  if (text.includes('%') || !ipaddr.isValid(text) || (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text))) return undefined;
  return toAddress(ipaddr.parse(text));
}

export function formatAddress(address: Address): string {
  const bytes: number[] = [];
  let value = address.value;
  for (let i = 0; i < bitsOf(address.family) / 8; i++) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** A subnet in CIDR form; host bits must be zero, as moby's IPAM wants them. */
export function parseSubnet(text: string): Subnet {
  const slash = text.indexOf('/');
  const address = slash > 0 ? parseAddress(text.slice(0, slash)) : undefined;
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!address || !/^\d{1,3}$/.test(prefixText) || prefix > bitsOf(address.family)) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  const base = address.value & mask(address.family, prefix);
  const subnet = { family: address.family, base, prefix };
  if (base !== address.value) throw new InvalidArgumentError(`invalid subnet ${text}: it should be ${formatSubnet(subnet)}`);
  return subnet;
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatAddress({ family: subnet.family, value: subnet.base })}/${subnet.prefix}`;
}

export function sizeOf(subnet: Subnet): bigint {
  return 1n << BigInt(bitsOf(subnet.family) - subnet.prefix);
}

export function contains(subnet: Subnet, address: Address): boolean {
  return subnet.family === address.family && (address.value & mask(subnet.family, subnet.prefix)) === subnet.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  return (a.base & mask(a.family, prefix)) === (b.base & mask(b.family, prefix));
}

/** The subnet's n-th address (0 is the network address). */
export function nthAddress(subnet: Subnet, n: bigint): Address {
  return { family: subnet.family, value: subnet.base + n };
}

/** The subnet of `prefix` bits that holds `address` (`172.17.0.1/16` → 172.17.0.0/16). */
export function subnetContaining(address: Address, prefix: number): Subnet {
  return { family: address.family, base: address.value & mask(address.family, prefix), prefix };
}
