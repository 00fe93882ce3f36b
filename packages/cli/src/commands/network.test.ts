import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NotFoundError, type NetworkResource } from '@berth/api';
import type { BerthClient } from '@berth/client';
import type { CliIo } from '../context.js';
import { buildProgram } from '../program.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const reference = fixture('reference-network-ls.json') as { networks: NetworkResource[]; expected: { args: string[]; output: string }[] };

/** Runs `berth ARGS` against a fake client that records its network calls; what a unit test of the CLI's side can see. */
async function berth(args: string[], api: Partial<BerthClient>, stdin = ''): Promise<{ code: number; out: string; err: string; calls: unknown[][] }> {
  const calls: unknown[][] = [];
  const recorded = Object.fromEntries(
    Object.entries({ ...api }).map(([name, fn]) => [name, async (...a: unknown[]) => (calls.push([name, ...a]), (fn as (...x: unknown[]) => unknown)(...a))]),
  );
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdin: Readable.from([stdin]), stdout, stderr };
  const { program, ctx } = buildProgram(io, {});
  ctx.client = () => recorded as unknown as BerthClient;
  await program.parseAsync(['node', 'berth', ...args]);
  return { code: ctx.exitCode, out, err, calls };
}

describe('berth network ls', () => {
  it.each(reference.expected.map((e) => [e.args.join(' ') || '(table)', e] as const))('prints what docker prints for %s', async (_, expected) => {
    const { out, calls } = await berth(['network', 'ls', ...expected.args], { listNetworks: async () => structuredClone(reference.networks) });
    expect(out).toBe(expected.output);
    expect(calls).toEqual([['listNetworks', {}]]);
  });

  it('passes -f filters to the daemon', async () => {
    const { calls } = await berth(['network', 'ls', '-f', 'driver=bridge', '-f', 'name=net'], { listNetworks: async () => [] });
    expect(calls).toEqual([['listNetworks', { driver: ['bridge'], name: ['net'] }]]);
  });
});

describe('berth network create', () => {
  it('sends the body docker CLI 28 sends', async () => {
    const { out, calls } = await berth(
      ['network', 'create', '-d', 'bridge', '--subnet', '10.77.0.0/16', '--ip-range', '10.77.1.0/24', '--gateway', '10.77.0.1', '--label', 'a=b', '--label', 'c',
        '-o', 'k=v', '--aux-address', 'host1=10.77.0.5', '--attachable', '--internal', '--ipv6', '--ingress', 'n1'],
      { createNetwork: async () => ({ Id: 'net123', Warning: '' }) },
    );
    expect(out).toBe('net123\n');
    // Captured from `docker -H unix://… network create` with the same flags.
    expect(JSON.stringify(calls[0]![1])).toBe(
      '{"Driver":"bridge","Scope":"","EnableIPv6":true,"IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.77.0.0/16","IPRange":"10.77.1.0/24","Gateway":"10.77.0.1","AuxiliaryAddresses":{"host1":"10.77.0.5"}}]},"Internal":true,"Attachable":true,"Ingress":true,"ConfigOnly":false,"ConfigFrom":null,"Options":{"k":"v"},"Labels":{"a":"b","c":""},"Name":"n1"}',
    );
  });

  it('sends docker defaults without flags', async () => {
    const { calls } = await berth(['network', 'create', 'n2'], { createNetwork: async () => ({ Id: 'x', Warning: '' }) });
    expect(JSON.stringify(calls[0]![1])).toBe(
      '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{},"Name":"n2"}',
    );
  });

  it.each([
    [['--gateway', '10.99.0.1'], 'every ip-range or gateway must have a corresponding subnet'],
    [['--subnet', '10.98.0.0/16', '--gateway', '10.98.0.1', '--gateway', '10.98.0.2'], 'every ip-range or gateway must have a corresponding subnet'],
    [['--subnet', '10.98.0.0/16,10.99.0.0/16', '--gateway', '10.98.0.1', '--gateway', '10.98.0.2'], 'cannot configure multiple gateways (10.98.0.2, 10.98.0.1) for the same subnet (10.98.0.0/16)'],
    [['--subnet', '10.97.0.0/16', '--subnet', '10.97.1.0/24'], 'multiple overlapping subnet configuration is not supported'],
    [['--subnet', 'bad', '--gateway', '10.0.0.1'], 'invalid subnet: invalid CIDR address: bad'],
    [['--subnet', '10.96.0.0/16', '--ip-range', '10.95.0.0/24'], 'no matching subnet for range 10.95.0.0/24'],
    [['--subnet', '10.96.0.0/16', '--aux-address', 'a=10.1.1.1'], 'no matching subnet for aux-address 10.1.1.1'],
    [['--subnet', 'fd00:1::/64', '--gateway', '10.0.0.1'], 'no matching subnet for gateway 10.0.0.1'],
  ])('refuses %j as docker does', async (flags, message) => {
    await expect(berth(['network', 'create', ...flags, 'x'], { createNetwork: async () => ({ Id: 'x', Warning: '' }) })).rejects.toThrow(message);
  });

  it('accepts a gateway in an IPv6 subnet', async () => {
    const { calls } = await berth(['network', 'create', '--subnet', '10.88.0.0/16,fd00:88::/64', '--gateway', '10.88.0.1,fd00:88::1', 'x'], {
      createNetwork: async () => ({ Id: 'x', Warning: '' }),
    });
    expect((calls[0]![1] as { IPAM: unknown }).IPAM).toEqual({
      Driver: 'default',
      Options: {},
      Config: [
        { Subnet: '10.88.0.0/16', Gateway: '10.88.0.1', AuxiliaryAddresses: {} },
        { Subnet: 'fd00:88::/64', Gateway: 'fd00:88::1', AuxiliaryAddresses: {} },
      ],
    });
  });
});

describe('berth network connect and disconnect', () => {
  it('sends the endpoint docker CLI 28 sends', async () => {
    const { calls } = await berth(
      ['network', 'connect', '--alias', 'a', '--alias', 'b,c', '--ip', '10.0.0.2', '--ip6', 'fd00::2', '--link', 'x:y', '--driver-opt', 'k=v', 'n1', 'c1'],
      { connectNetwork: async () => undefined },
    );
    expect(calls[0]![1]).toBe('n1');
    expect(JSON.stringify(calls[0]![2])).toBe(
      '{"Container":"c1","EndpointConfig":{"IPAMConfig":{"IPv4Address":"10.0.0.2","IPv6Address":"fd00::2"},"Links":["x:y"],"Aliases":["a","b","c"],"MacAddress":"","DriverOpts":{"k":"v"},"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}',
    );
    const plain = await berth(['network', 'connect', 'n1', 'c1'], { connectNetwork: async () => undefined });
    expect(JSON.stringify(plain.calls[0]![2])).toBe(
      '{"Container":"c1","EndpointConfig":{"IPAMConfig":{},"Links":null,"Aliases":[],"MacAddress":"","DriverOpts":{},"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}',
    );
  });

  it('refuses a driver option without a value', async () => {
    await expect(berth(['network', 'connect', '--driver-opt', 'bad', 'n1', 'c1'], { connectNetwork: async () => undefined })).rejects.toThrow(
      'invalid key/value pair format in driver options',
    );
  });

  it('sends -f to disconnect', async () => {
    const { calls } = await berth(['network', 'disconnect', '-f', 'n1', 'c1'], { disconnectNetwork: async () => undefined });
    expect(calls).toEqual([['disconnectNetwork', 'n1', { Container: 'c1', Force: true }]]);
  });
});

describe('berth network rm and prune', () => {
  const missing = async (name: string): Promise<void> => {
    if (name !== 'ok') throw new NotFoundError(`network ${name} not found`);
  };

  it('prints each removed network, the failures, and docker\'s status line', async () => {
    const result = await berth(['network', 'rm', 'ok', 'nope'], { removeNetwork: missing });
    expect(result).toMatchObject({ code: 1, out: 'ok\n', err: 'network nope not found\nexit status 1\n' });
  });

  it('ignores missing networks with -f', async () => {
    expect(await berth(['network', 'rm', '-f', 'nope', 'ok'], { removeNetwork: missing })).toMatchObject({ code: 0, out: 'ok\n', err: '' });
  });

  it('asks first, and does nothing unless told y', async () => {
    const prune = async (): Promise<{ NetworksDeleted: string[] }> => ({ NetworksDeleted: ['net4', 'net5'] });
    const declined = await berth(['network', 'prune'], { pruneNetworks: prune }, 'n\n');
    expect(declined).toMatchObject({
      code: 0,
      out: 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ',
      calls: [],
    });
    const accepted = await berth(['network', 'prune'], { pruneNetworks: prune }, 'y\n');
    expect(accepted.out).toMatch(/\[y\/N\] Deleted Networks:\nnet4\nnet5\n\n$/);
  });

  it('prints nothing when nothing was pruned, and passes the filters', async () => {
    const result = await berth(['network', 'prune', '-f', '--filter', 'label=a', '--filter', 'until=1h'], { pruneNetworks: async () => ({ NetworksDeleted: null }) });
    expect(result).toMatchObject({ out: '', calls: [['pruneNetworks', { label: ['a'], until: ['1h'] }]] });
  });
});

describe('berth network inspect', () => {
  it('renders --format per network and reports the missing after', async () => {
    const inspectNetwork = async (name: string): Promise<NetworkResource> => {
      const found = reference.networks.find((n) => n.Name === name);
      if (!found) throw new NotFoundError(`network ${name} not found`);
      return found;
    };
    const result = await berth(['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{json .Labels}} {{.Labels}} {{index .Labels "z"}}', 'net2', 'nope', 'none'], { inspectNetwork });
    expect(result).toMatchObject({ code: 1, out: 'net2 bridge {"z":"1"} map[z:1] 1\nnone null {} map[] \n', err: 'network nope not found\n' });
  });

  it('refuses a template that does not parse before asking the daemon, with status 64 as docker', async () => {
    const result = await berth(['network', 'inspect', '-f', '{{range .Containers}}x', 'n'], { inspectNetwork: async () => ({ Name: 'n', Id: 'i' }) as NetworkResource });
    expect(result).toMatchObject({ code: 64, out: '', err: 'template parsing error: template: :1: unexpected EOF\n', calls: [] });
  });
});
