import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, type NetworkCreateRequest } from '@berth/api';
import { parseSubnet } from './ip.js';
import { DEFAULT_ADDRESS_POOLS } from './ipam.js';
import { newNetworkRecord, type NetworkContext } from './network-options.js';
import type { NetworkRecord } from './network-record.js';
import { bridgeNetwork } from './test-support/network-records.js';

const ID = '0123456789abcdef'.repeat(4);

const existing = (name: string, subnets: string[], extra: Partial<NetworkRecord> = {}): NetworkRecord =>
  bridgeNetwork(name, name.padEnd(64, '0'), { subnets: subnets.map((subnet) => ({ subnet, auxAddresses: {} })), bridge: `br-${name}`, ...extra });

const defaultBridge = existing('bridge', ['172.17.0.0/16'], { isDefault: true, bridge: 'docker0' });
const context = (networks: NetworkRecord[] = [defaultBridge], routes: string[] = []): NetworkContext => ({
  networks,
  routes: routes.map(parseSubnet),
  pools: DEFAULT_ADDRESS_POOLS,
  interfaces: new Map([['lo', { kind: 'other' }]]),
});
const create = (request: Partial<NetworkCreateRequest>, ctx = context()) => newNetworkRecord({ Name: 'web', ...request }, ID, ctx);
const ipam = (...Config: Array<{ Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }>) => ({ IPAM: { Config } });

describe('newNetworkRecord', () => {
  it('makes a bridge network on the first free default subnet, gateway on its first address, bridge br-<id12>', () => {
    const record = create({ Labels: { a: 'b' }, Internal: true, Attachable: true });
    expect(record).toMatchObject({
      id: ID,
      name: 'web',
      driver: 'bridge',
      internal: true,
      attachable: true,
      enableIPv6: false,
      labels: { a: 'b' },
      options: {},
      ipamDriver: 'default',
      bridge: 'br-0123456789ab',
      subnets: [{ subnet: '172.18.0.0/16', gateway: '172.18.0.1', auxAddresses: {} }],
    });
    expect(Number.isNaN(Date.parse(record.created))).toBe(false);
    expect(create({ Driver: '' }).driver).toBe('bridge');
  });

  it('skips subnets host routes use', () => {
    expect(create({}, context([defaultBridge], ['0.0.0.0/0', '172.18.0.0/24'])).subnets[0]!.subnet).toBe('172.19.0.0/16');
  });

  it('takes --subnet, --gateway, --ip-range and --aux-address', () => {
    expect(create(ipam({ Subnet: '10.10.0.0/16' })).subnets).toEqual([{ subnet: '10.10.0.0/16', gateway: '10.10.0.1', auxAddresses: {}, configured: true }]);
    expect(create(ipam({ Subnet: '10.10.0.0/16', Gateway: '10.10.0.254', IPRange: '10.10.5.0/24', AuxiliaryAddresses: { router: '10.10.0.2' } })).subnets).toEqual([
      { subnet: '10.10.0.0/16', gateway: '10.10.0.254', ipRange: '10.10.5.0/24', auxAddresses: { router: '10.10.0.2' }, configured: true },
    ]);
  });

  it('refuses a subnet with host bits set, or not CIDR', () => {
    expect(() => create(ipam({ Subnet: '10.10.0.1/16' }))).toThrow('invalid subnet 10.10.0.1/16: it should be 10.10.0.0/16');
    expect(() => create(ipam({ Subnet: '10.10.0.0' }))).toThrow('invalid CIDR address: 10.10.0.0');
    expect(() => create(ipam({ Gateway: '10.10.0.1' }))).toThrow('invalid network config: an IPAM config entry needs a subnet');
  });

  it('refuses a gateway, ip-range or aux address outside the subnet, or unreadable', () => {
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', Gateway: '10.11.0.1' }))).toThrow('invalid network config: gateway 10.11.0.1 is not in subnet 10.10.0.0/16');
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', Gateway: 'fd00::1' }))).toThrow(InvalidArgumentError);
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', Gateway: 'gw' }))).toThrow('invalid gateway address: gw');
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', IPRange: '10.11.0.0/24' }))).toThrow('invalid network config: ip-range 10.11.0.0/24 is not in subnet 10.10.0.0/16');
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', IPRange: '10.0.0.0/8' }))).toThrow('ip-range 10.0.0.0/8 is not in subnet 10.10.0.0/16');
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', IPRange: 'fd00::/64' }))).toThrow(InvalidArgumentError);
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', IPRange: '10.10.0.1/24' }))).toThrow('invalid subnet 10.10.0.1/24: it should be 10.10.0.0/24');
    expect(() => create(ipam({ Subnet: '10.10.0.0/16', AuxiliaryAddresses: { a: '10.9.0.1' } }))).toThrow('invalid network config: auxiliary 10.9.0.1 is not in subnet 10.10.0.0/16');
  });

  it('refuses a subnet overlapping another network, a host route or another subnet of the request, with moby\'s 403', () => {
    const ctx = context([defaultBridge, existing('db', ['10.20.0.0/16'])], ['192.168.1.0/24']);
    for (const subnet of ['10.20.0.0/16', '10.20.7.0/24', '10.0.0.0/8', '172.17.0.0/24', '192.168.0.0/16']) {
      expect(() => create(ipam({ Subnet: subnet }), ctx), subnet).toThrow(ForbiddenError);
      expect(() => create(ipam({ Subnet: subnet }), ctx), subnet).toThrow('Pool overlaps with other one on this address space');
    }
    for (const second of ['10.30.0.0/16', '10.30.1.0/24']) {
      expect(() => create(ipam({ Subnet: '10.30.0.0/16' }, { Subnet: second }))).toThrow('invalid pool request: Pool overlaps with other one on this address space');
    }
  });

  it('refuses an IPv6 subnet without --ipv6', () => {
    expect(() => create(ipam({ Subnet: 'fd01::/64' }))).toThrow('invalid network config: an IPv6 subnet needs IPv6 enabled (--ipv6)');
  });

  it('with --ipv6, takes the IPv6 subnet given, or one from the ULA pool, and an IPv4 one from the defaults', () => {
    expect(create({ EnableIPv6: true, ...ipam({ Subnet: 'fd01::/64' }) }).subnets).toEqual([
      { subnet: '172.18.0.0/16', gateway: '172.18.0.1', auxAddresses: {} },
      { subnet: 'fd01::/64', gateway: 'fd01::1', auxAddresses: {}, configured: true },
    ]);
    const record = create({ EnableIPv6: true });
    expect(record.enableIPv6).toBe(true);
    expect(record.subnets).toEqual([
      { subnet: '172.18.0.0/16', gateway: '172.18.0.1', auxAddresses: {} },
      { subnet: 'fd4d:6265:7274::/64', gateway: 'fd4d:6265:7274::1', auxAddresses: {} },
    ]);
    const next = create({ Name: 'web2', EnableIPv6: true }, context([defaultBridge, { ...record, name: 'web', bridge: 'br-x' }]));
    expect(next.subnets.map((s) => s.subnet)).toEqual(['172.19.0.0/16', 'fd4d:6265:7274:1::/64']);
    expect(create({ EnableIPv6: true, ...ipam({ Subnet: '10.40.0.0/16' }, { Subnet: 'fd02::/64', Gateway: 'fd02::00ff' }) }).subnets).toEqual([
      { subnet: '10.40.0.0/16', gateway: '10.40.0.1', auxAddresses: {}, configured: true },
      { subnet: 'fd02::/64', gateway: 'fd02::ff', auxAddresses: {}, configured: true },
    ]);
  });

  it('refuses drivers other than bridge as Docker does', () => {
    expect(() => create({ Driver: 'host' })).toThrow(ForbiddenError);
    expect(() => create({ Driver: 'host' })).toThrow('only one instance of "host" network is allowed');
    expect(() => create({ Driver: 'null' })).toThrow('only one instance of "null" network is allowed');
    expect(() => create({ Driver: 'overlay' })).toThrow(NotFoundError);
    expect(() => create({ Driver: 'overlay' })).toThrow('plugin "overlay" not found');
    expect(() => create({ IPAM: { Driver: 'dhcp' } })).toThrow('plugin "dhcp" not found');
  });

  it('takes the bridge name and MTU options, and the options whose default is the only behaviour', () => {
    const record = create({
      Options: {
        'com.docker.network.bridge.name': 'br-web',
        'com.docker.network.driver.mtu': '1400',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      },
    });
    expect(record.bridge).toBe('br-web');
    expect(record.mtu).toBe(1400);
    expect(record.options['com.docker.network.driver.mtu']).toBe('1400');
    expect(create({ Options: null }).options).toEqual({});
  });

  it('refuses what it cannot honour with a clear message', () => {
    expect(() => create({ Options: { 'com.docker.network.bridge.enable_icc': 'false' } })).toThrow('berth does not support the network option com.docker.network.bridge.enable_icc=false');
    expect(() => create({ Options: { 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' } })).toThrow(InvalidArgumentError);
    expect(() => create({ Options: { 'com.docker.network.bridge.gateway_mode_ipv4': 'routed' } })).toThrow('berth does not support the network option com.docker.network.bridge.gateway_mode_ipv4');
    expect(() => create({ Options: { 'com.docker.network.bridge.name': 'a-very-long-bridge-name' } })).toThrow('invalid bridge name "a-very-long-bridge-name"');
    expect(() => create({ Options: { 'com.docker.network.driver.mtu': '67' } })).toThrow('invalid MTU "67": must be between 68 and 65535');
    expect(() => create({ Options: { 'com.docker.network.driver.mtu': 'big' } })).toThrow(InvalidArgumentError);
    expect(() => create({ IPAM: { Options: { foo: 'bar' } } })).toThrow('berth does not support IPAM driver options (--ipam-opt)');
    expect(() => create({ Ingress: true })).toThrow(ForbiddenError);
    expect(() => create({ ConfigOnly: true })).toThrow('berth does not support config-only networks');
    expect(() => create({ ConfigFrom: { Network: 'other' } })).toThrow('berth does not support config-only networks');
    expect(() => create({ Scope: 'swarm' })).toThrow('berth does not support the network scope swarm (only local)');
    expect(() => create({ EnableIPv4: false })).toThrow('berth does not support IPv6-only networks (--ipv4=false)');
  });

  it('refuses a bridge another network uses, with 409', () => {
    expect(() => create({ Options: { 'com.docker.network.bridge.name': 'docker0' } })).toThrow(ConflictError);
    expect(() => create({ Options: { 'com.docker.network.bridge.name': 'docker0' } })).toThrow('bridge docker0 is already used by another network');
  });

  it('refuses a duplicate name with 409, and empty or invalid names', () => {
    for (const name of ['bridge', 'host', 'none']) {
      expect(() => create({ Name: name }), name).toThrow(ConflictError);
      expect(() => create({ Name: name }), name).toThrow(`network with name ${name} already exists`);
    }
    expect(() => create({ Name: 'web' }, context([defaultBridge, existing('web', ['10.1.0.0/16'])]))).toThrow('network with name web already exists');
    expect(() => create({ Name: '  ' })).toThrow('network name cannot be empty');
    expect(() => create({ Name: '-web' })).toThrow(InvalidArgumentError);
    expect(() => create({ Name: 'we/b' })).toThrow('invalid network name "we/b"');
    expect(create({ Name: 'a_b.c-1' }).name).toBe('a_b.c-1');
  });

  it('reserves the gateway and aux addresses as moby does: usable, distinct, canonical', () => {
    expect(create(ipam({ Subnet: '10.30.0.7/32' })).subnets[0]).toMatchObject({ gateway: '10.30.0.7' });
    expect(() => create(ipam({ Subnet: '10.30.0.0/16', Gateway: '10.30.0.0' }))).toThrow('failed to allocate gateway (10.30.0.0): Address already in use');
    expect(() => create(ipam({ Subnet: '10.30.0.0/16', Gateway: '10.30.255.255' }))).toThrow(ForbiddenError);
    expect(() => create(ipam({ Subnet: '10.30.0.0/16', AuxiliaryAddresses: { a: '10.30.0.1' } }))).toThrow('failed to allocate secondary ip address (a:10.30.0.1): Address already in use');
    const v6 = create({ EnableIPv6: true, IPAM: { Config: [{ Subnet: 'FD01::/64', IPRange: 'FD01::/80', AuxiliaryAddresses: { a: 'FD01::9' } }] } }).subnets.find((s) => s.subnet.includes(':'));
    expect(v6).toMatchObject({ subnet: 'fd01::/64', ipRange: 'fd01::/80', gateway: 'fd01::1', auxAddresses: { a: 'fd01::9' } });
  });

  it("accepts Go's true values for the options only their default can honour", () => {
    expect(create({ Options: { 'com.docker.network.bridge.enable_icc': 'True' } }).options).toEqual({ 'com.docker.network.bridge.enable_icc': 'True' });
    expect(() => create({ Options: { 'com.docker.network.bridge.enable_icc': 'false' } })).toThrow('berth does not support the network option com.docker.network.bridge.enable_icc=false');
  });

  it('refuses a bridge name that is an existing interface of another kind, and marks user-given subnets', () => {
    expect(() => create({ Options: { 'com.docker.network.bridge.name': 'lo' } })).toThrow('existing interface lo is not a bridge');
    expect(() => create({ Options: { 'com.docker.network.bridge.name': '..' } })).toThrow(/invalid bridge name/);
    expect(create(ipam({ Subnet: '10.30.0.0/16' })).subnets[0]!.configured).toBe(true);
    expect(create({}).subnets[0]!.configured).toBeUndefined();
  });
});
