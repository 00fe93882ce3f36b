import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidArgumentError, UnavailableError } from '@berth/api';
import { formatAddress, formatSubnet, parseAddress, parseSubnet } from './ip.js';
import { allocateAddress, checkNoOverlap, chooseSubnet, claimAddress, DEFAULT_ADDRESS_POOLS, DEFAULT_IPV6_POOL, validateAddressPool, type AllocationRange } from './ipam.js';

const value = (text: string) => parseAddress(text)!.value;
const subnets = (...texts: string[]) => texts.map(parseSubnet);
const range = (subnet: string, reserved: string[] = [], ipRange?: string): AllocationRange => ({
  subnet: parseSubnet(subnet),
  reserved: reserved.map(value),
  ...(ipRange ? { range: parseSubnet(ipRange) } : {}),
});
const inUse = (...texts: string[]) => new Set(texts.map(value));
const next = (r: AllocationRange, used: ReadonlySet<bigint> = new Set()) => formatAddress(allocateAddress(r, used));

describe('DEFAULT_ADDRESS_POOLS', () => {
  it("are moby's local-scope defaults: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s", () => {
    expect(DEFAULT_ADDRESS_POOLS).toHaveLength(16);
    expect(DEFAULT_ADDRESS_POOLS.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => ({ base: `172.${17 + i}.0.0/16`, size: 16 })));
    expect(DEFAULT_ADDRESS_POOLS[15]).toEqual({ base: '192.168.0.0/16', size: 20 });
    for (const pool of [...DEFAULT_ADDRESS_POOLS, DEFAULT_IPV6_POOL]) expect(() => validateAddressPool(pool)).not.toThrow();
  });
});

describe('validateAddressPool', () => {
  it('refuses a size smaller than the base prefix or larger than the family allows, and a bad base', () => {
    expect(() => validateAddressPool({ base: '10.0.0.0/8', size: 7 })).toThrow('invalid default address pool 10.0.0.0/8: size 7 must be between 8 and 32');
    expect(() => validateAddressPool({ base: '10.0.0.0/8', size: 33 })).toThrow(InvalidArgumentError);
    expect(() => validateAddressPool({ base: 'fd00::/48', size: 129 })).toThrow('size 129 must be between 48 and 128');
    expect(() => validateAddressPool({ base: '10.0.0.0/8', size: 24.5 })).toThrow(InvalidArgumentError);
    expect(() => validateAddressPool({ base: '10.0.0.1/8', size: 24 })).toThrow('invalid subnet 10.0.0.1/8: it should be 10.0.0.0/8');
  });
});

describe('chooseSubnet', () => {
  const choose = (taken: string[], family: 4 | 6 = 4) => formatSubnet(chooseSubnet(DEFAULT_ADDRESS_POOLS, family, subnets(...taken)));

  it('gives the first default subnet that overlaps nothing taken', () => {
    expect(choose([])).toBe('172.17.0.0/16');
    expect(choose(['172.17.0.0/16', '172.18.0.0/16'])).toBe('172.19.0.0/16');
    expect(choose(['172.17.0.0/16', '172.19.0.0/16'])).toBe('172.18.0.0/16');
  });

  it('skips a default subnet a host route (or a smaller network) overlaps', () => {
    expect(choose(['172.17.0.0/16', '172.18.5.0/24'])).toBe('172.19.0.0/16');
    expect(choose(['172.16.0.0/12'])).toBe('192.168.0.0/20');
    expect(choose(['172.16.0.0/12', '192.168.1.0/24'])).toBe('192.168.16.0/20');
  });

  it('fails in moby words once every subnet is taken', () => {
    expect(() => choose(['172.16.0.0/12', '192.168.0.0/16'])).toThrow(UnavailableError);
    expect(() => choose(['172.16.0.0/12', '192.168.0.0/16'])).toThrow(
      'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
    );
  });

  it('keeps to the family asked for', () => {
    expect(() => choose([], 6)).toThrow('non-overlapping IPv6 address pool');
    expect(formatSubnet(chooseSubnet([DEFAULT_IPV6_POOL, ...DEFAULT_ADDRESS_POOLS], 6, []))).toBe('fd4d:6265:7274::/64');
    expect(formatSubnet(chooseSubnet([DEFAULT_IPV6_POOL], 6, subnets('fd4d:6265:7274::/64', '172.17.0.0/16')))).toBe('fd4d:6265:7274:1::/64');
  });
});

describe('checkNoOverlap', () => {
  const networks = [{ name: 'one', subnets: subnets('172.18.0.0/16', 'fd00:1::/64') }];

  it('refuses a subnet overlapping a network, either way round', () => {
    for (const text of ['172.18.0.0/16', '172.18.3.0/24', '172.0.0.0/8', 'fd00:1::/80']) {
      expect(() => checkNoOverlap(parseSubnet(text), networks, []), text).toThrow(ForbiddenError);
      expect(() => checkNoOverlap(parseSubnet(text), networks, []), text).toThrow('invalid pool request: Pool overlaps with other one on this address space');
    }
  });

  it("refuses a subnet overlapping a host route, but not because of the default route", () => {
    expect(() => checkNoOverlap(parseSubnet('10.1.0.0/16'), networks, subnets('10.0.0.0/8'))).toThrow(
      'invalid pool request: Pool overlaps with other one on this address space (the host has a route to 10.1.0.0/16)',
    );
    expect(() => checkNoOverlap(parseSubnet('10.1.0.0/16'), networks, subnets('0.0.0.0/0', '::/0'))).not.toThrow();
    expect(() => checkNoOverlap(parseSubnet('172.19.0.0/16'), networks, subnets('10.0.0.0/8'))).not.toThrow();
  });
});

describe('allocateAddress', () => {
  const net = range('10.0.0.0/24', ['10.0.0.1']);

  it('skips the network address and the reserved gateway and aux addresses', () => {
    expect(next(net)).toBe('10.0.0.2');
    expect(next(range('10.0.0.0/24', ['10.0.0.1', '10.0.0.2', '10.0.0.3']))).toBe('10.0.0.4');
    expect(next(range('10.0.0.0/24'))).toBe('10.0.0.1');
  });

  it('skips addresses in use', () => {
    expect(next(net, inUse('10.0.0.2', '10.0.0.3'))).toBe('10.0.0.4');
  });

  it('gives the lowest free address, so a released one comes back first (moby on local networks)', () => {
    expect(next(net, inUse('10.0.0.3'))).toBe('10.0.0.2');
  });

  it('never gives the IPv4 broadcast address', () => {
    const all = Array.from({ length: 253 }, (_, i) => `10.0.0.${i + 2}`);
    expect(next(net, inUse(...all.slice(0, -1)))).toBe('10.0.0.254');
    expect(() => next(net, inUse(...all))).toThrow(/no available IPv4 addresses/);
  });

  it('gives the last address of an IPv6 subnet, which has no broadcast', () => {
    expect(next(range('fd00::/126', ['fd00::1']), inUse('fd00::2'))).toBe('fd00::3');
    expect(next(range('fd00::/64', ['fd00::1']))).toBe('fd00::2');
  });

  it('keeps to an --ip-range', () => {
    const r = range('10.0.0.0/16', ['10.0.0.1'], '10.0.5.0/24');
    expect(next(r)).toBe('10.0.5.0');
    expect(next(r, inUse('10.0.5.0'))).toBe('10.0.5.1');
  });

  it('skips the subnet network and broadcast addresses when the range reaches them', () => {
    const low = range('10.0.0.0/24', ['10.0.0.1'], '10.0.0.0/30');
    expect(next(low)).toBe('10.0.0.2');
    expect(next(low, inUse('10.0.0.2'))).toBe('10.0.0.3');
    expect(() => next(low, inUse('10.0.0.2', '10.0.0.3'))).toThrow(UnavailableError);
    const high = range('10.0.0.0/24', ['10.0.0.1'], '10.0.0.252/30');
    expect(next(high, inUse('10.0.0.252', '10.0.0.253'))).toBe('10.0.0.254');
  });

  it('fails when every address is taken', () => {
    const small = range('10.0.0.0/30', ['10.0.0.1']);
    expect(() => next(small, inUse('10.0.0.2'))).toThrow(UnavailableError);
    expect(() => next(small, inUse('10.0.0.2'))).toThrow("no available IPv4 addresses on this network's address pools: 10.0.0.0/30");
  });

  it('uses both addresses of a /31 point-to-point link and the one of a /32, as moby does (RFC 3021)', () => {
    expect(next(range('10.0.0.0/31'))).toBe('10.0.0.0');
    expect(next(range('10.0.0.0/31'), inUse('10.0.0.0'))).toBe('10.0.0.1');
    expect(next(range('10.0.0.7/32'))).toBe('10.0.0.7');
  });
});

describe('claimAddress', () => {
  const net = range('10.0.0.0/24', ['10.0.0.1', '10.0.0.9']);
  const claim = (text: string, used = inUse()) => claimAddress(net, parseAddress(text)!, used, text);

  it('accepts a free address of the subnet, inside or outside the ip-range', () => {
    expect(() => claim('10.0.0.50')).not.toThrow();
    expect(() => claimAddress(range('10.0.0.0/16', [], '10.0.5.0/24'), parseAddress('10.0.9.9')!, inUse(), '10.0.9.9')).not.toThrow();
  });

  it('refuses an address outside the subnet', () => {
    expect(() => claim('10.0.1.5')).toThrow(InvalidArgumentError);
    expect(() => claim('10.0.1.5')).toThrow('invalid endpoint settings: no configured subnet or ip-range contain the IP address 10.0.1.5');
    expect(() => claim('fd00::5')).toThrow(InvalidArgumentError);
  });

  it('refuses an address in use, the gateway, an aux address, the network and the broadcast address', () => {
    for (const text of ['10.0.0.1', '10.0.0.9', '10.0.0.0', '10.0.0.255']) {
      expect(() => claim(text), text).toThrow(ConflictError);
      expect(() => claim(text), text).toThrow('Address already in use');
    }
    expect(() => claim('10.0.0.50', inUse('10.0.0.50'))).toThrow('Address already in use');
  });
});
