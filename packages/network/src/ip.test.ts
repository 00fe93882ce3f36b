import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { contains, formatAddress, formatSubnet, nthAddress, overlaps, parseAddress, parseSubnet, sizeOf, subnetContaining } from './ip.js';

const addr = (text: string) => parseAddress(text)!;

describe('parseAddress and formatAddress', () => {
  it('reads IPv4 and IPv6 addresses as numbers and writes them back in canonical form', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n });
    expect(parseAddress('::1')).toEqual({ family: 6, value: 1n });
    expect(formatAddress(addr('172.17.0.2'))).toBe('172.17.0.2');
    expect(formatAddress(addr('FD00:0:0::0001'))).toBe('fd00::1');
    expect(formatAddress({ family: 6, value: 0n })).toBe('::');
    expect(formatAddress({ family: 4, value: 0n })).toBe('0.0.0.0');
  });

  it('refuses what Go net.ParseIP refuses: short, octal-looking, hex, out-of-range, padded and zoned forms', () => {
    for (const text of ['', '1.2.3', '010.0.0.1', '0x0a.0.0.1', '256.0.0.1', '1.2.3.4.5', ' 10.0.0.1', 'localhost', 'fe80::1%eth0', '1::2::3']) {
      expect(parseAddress(text), text).toBeUndefined();
    }
  });
});

describe('parseSubnet', () => {
  it('reads IPv4 and IPv6 subnets', () => {
    expect(parseSubnet('172.17.0.0/16')).toEqual({ family: 4, base: 0xac110000n, prefix: 16 });
    expect(parseSubnet('0.0.0.0/0')).toEqual({ family: 4, base: 0n, prefix: 0 });
    expect(parseSubnet('10.1.2.3/32')).toEqual({ family: 4, base: 0x0a010203n, prefix: 32 });
    expect(parseSubnet('fd00:1::/64')).toEqual({ family: 6, base: 0xfd000001n << 96n, prefix: 64 });
    expect(formatSubnet(parseSubnet('2001:DB8::/32'))).toBe('2001:db8::/32');
  });

  it('refuses host bits set, naming the network it should be', () => {
    expect(() => parseSubnet('172.20.0.1/16')).toThrow(InvalidArgumentError);
    expect(() => parseSubnet('172.20.0.1/16')).toThrow('invalid subnet 172.20.0.1/16: it should be 172.20.0.0/16');
    expect(() => parseSubnet('fd00::1/64')).toThrow('invalid subnet fd00::1/64: it should be fd00::/64');
  });

  it('refuses what is not a CIDR address', () => {
    for (const text of ['10.0.0.0', '10.0.0.0/', '/8', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/8/8', '10.0.0/8', 'bogus/8', '10.0.0.0/1234']) {
      expect(() => parseSubnet(text), text).toThrow(`invalid CIDR address: ${text}`);
    }
  });
});

describe('subnet arithmetic', () => {
  const net = parseSubnet('10.1.0.0/16');

  it('sizes, walks and contains addresses of the same family only', () => {
    expect(sizeOf(net)).toBe(65536n);
    expect(sizeOf(parseSubnet('fd00::/64'))).toBe(1n << 64n);
    expect(formatAddress(nthAddress(net, 1n))).toBe('10.1.0.1');
    expect(contains(net, addr('10.1.255.255'))).toBe(true);
    expect(contains(net, addr('10.2.0.0'))).toBe(false);
    expect(contains(parseSubnet('::/0'), addr('10.1.0.1'))).toBe(false);
    expect(contains(parseSubnet('0.0.0.0/0'), addr('10.1.0.1'))).toBe(true);
  });

  it('finds overlaps both ways, and none across families or between neighbours', () => {
    expect(overlaps(net, parseSubnet('10.1.5.0/24'))).toBe(true);
    expect(overlaps(parseSubnet('10.1.5.0/24'), net)).toBe(true);
    expect(overlaps(net, parseSubnet('10.0.0.0/8'))).toBe(true);
    expect(overlaps(net, net)).toBe(true);
    expect(overlaps(net, parseSubnet('10.2.0.0/16'))).toBe(false);
    expect(overlaps(parseSubnet('10.1.0.0/25'), parseSubnet('10.1.0.128/25'))).toBe(false);
    expect(overlaps(parseSubnet('::/0'), net)).toBe(false);
    expect(overlaps(parseSubnet('fd00::/8'), parseSubnet('fd12:3456::/32'))).toBe(true);
  });

  it('gives the subnet that holds an address', () => {
    expect(formatSubnet(subnetContaining(addr('172.17.0.1'), 16))).toBe('172.17.0.0/16');
    expect(formatSubnet(subnetContaining(addr('192.168.1.77'), 32))).toBe('192.168.1.77/32');
    expect(formatSubnet(subnetContaining(addr('fd00:1:2:3::9'), 64))).toBe('fd00:1:2:3::/64');
    expect(formatSubnet(subnetContaining(addr('10.9.8.7'), 0))).toBe('0.0.0.0/0');
  });
});
