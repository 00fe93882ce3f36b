import { isIP } from 'node:net';
import { InvalidArgumentError, type Ipam, type IpamPool } from '@berth/api';

/** An address as a number and its family's bit count. */
function addressBits(text: string): { value: bigint; bits: number } | undefined {
  const family = isIP(text);
  if (family === 4) return { value: text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n), bits: 32 };
  if (family !== 6) return undefined;
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':')).flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { value: all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n), bits: 128 };
}

function ipv4Groups(dotted: string): string[] {
  const v = addressBits(dotted)!.value;
  return [(v >> 16n).toString(16), (v & 0xffffn).toString(16)];
}

/** Go's net.ParseCIDR, to the network it names. */
function parseCidr(text: string): { value: bigint; bits: number; prefix: number } {
  const slash = text.indexOf('/');
  const address = slash < 0 ? undefined : addressBits(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (!address || !/^\d+$/.test(text.slice(slash + 1)) || prefix > address.bits) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  return { ...address, prefix };
}

/** docker/cli's subnetMatches: whether an address or CIDR (its address) lies in a subnet. */
function subnetMatches(subnet: string, data: string): boolean {
  let net: ReturnType<typeof parseCidr>;
  try {
    net = parseCidr(subnet);
  } catch (err) {
    throw new InvalidArgumentError(`invalid subnet: ${(err as Error).message}`);
  }
  const address = data.includes('/') ? parseCidr(data) : addressBits(data);
  if (!address || address.bits !== net.bits) return false;
  const shift = BigInt(net.bits - net.prefix);
  return address.value >> shift === net.value >> shift;
}

export interface IpamFlags {
  ipamDriver: string;
  subnet: string[];
  ipRange: string[];
  gateway: string[];
  auxAddress: string[];
  ipamOpt: string[];
}

/** `key=value` map flags as docker's MapOpts reads them: a bare key maps to "". */
export function keyValueMap(flags: string[]): Record<string, string> {
  return Object.fromEntries(flags.map((flag) => (flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, ''])));
}

/** docker/cli's createIPAMConfig: each --ip-range, --gateway and --aux-address placed in the --subnet that holds it. */
export function ipamConfig(flags: IpamFlags): Ipam {
  if (flags.subnet.length < flags.ipRange.length || flags.subnet.length < flags.gateway.length) {
    throw new InvalidArgumentError('every ip-range or gateway must have a corresponding subnet');
  }
  const configs = new Map<string, IpamPool & { AuxiliaryAddresses: Record<string, string> }>();
  for (const subnet of flags.subnet) {
    for (const known of configs.keys()) {
      if (subnetMatches(subnet, known) || subnetMatches(known, subnet)) throw new InvalidArgumentError('multiple overlapping subnet configuration is not supported');
    }
    configs.set(subnet, { Subnet: subnet, AuxiliaryAddresses: {} });
  }
  const place = (value: string, what: string, set: (config: IpamPool & { AuxiliaryAddresses: Record<string, string> }) => void): void => {
    const matching = flags.subnet.filter((subnet) => subnetMatches(subnet, value));
    if (!matching.length) throw new InvalidArgumentError(`no matching subnet for ${what} ${value}`);
    for (const subnet of matching) set(configs.get(subnet)!);
  };
  for (const range of flags.ipRange) {
    parseCidr(range);
    place(range, 'range', (config) => {
      if (config.IPRange) throw new InvalidArgumentError(`cannot configure multiple ranges (${range}, ${config.IPRange}) on the same subnet (${config.Subnet})`);
      config.IPRange = range;
    });
  }
  for (const gateway of flags.gateway) {
    place(gateway, 'gateway', (config) => {
      if (config.Gateway) throw new InvalidArgumentError(`cannot configure multiple gateways (${gateway}, ${config.Gateway}) for the same subnet (${config.Subnet})`);
      config.Gateway = gateway;
    });
  }
  for (const [name, address] of Object.entries(keyValueMap(flags.auxAddress))) {
    place(address, 'aux-address', (config) => {
      config.AuxiliaryAddresses[name] = address;
    });
  }
  return {
    Driver: flags.ipamDriver,
    Options: keyValueMap(flags.ipamOpt),
    Config: [...configs.values()].map(({ Subnet, IPRange, Gateway, AuxiliaryAddresses }) => ({ Subnet, IPRange, Gateway, AuxiliaryAddresses })),
  };
}
