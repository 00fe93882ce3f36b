import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, startTestDaemon, type CommandResult, type TestDaemon } from './harness.js';
import { createTestNetns, type TestNetns } from './netns.js';

/*
 * `berth network …`, `berth port` and the run/create port flags against a berthd with networking, in a
 * network namespace of the test's own, each compared with what the docker CLI 28 prints for the same
 * daemon and the same state.
 */
describe('berth network commands and published ports, as the docker CLI shows them', () => {
  let netns: TestNetns | undefined;
  let d: TestDaemon | undefined;

  beforeAll(async () => {
    netns = await createTestNetns();
    d = await startTestDaemon([], { netns });
    const loaded = await d.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });

  afterAll(async () => {
    const leftovers = await d?.cleanup().finally(() => netns?.remove());
    if (!d) await netns?.remove();
    expect(leftovers?.mounts ?? []).toEqual([]);
  });

  const daemon = (): TestDaemon => d!;

  /** Runs the same command through both CLIs, docker's first, so both see the same daemon state. */
  async function both(args: string[]): Promise<{ docker: CommandResult; berth: CommandResult }> {
    const docker = await daemon().dockerCli(args);
    return { docker, berth: await daemon().berth(args) };
  }

  /** The command gives the same output, errors and exit status through berth as through docker. */
  async function same(args: string[]): Promise<CommandResult> {
    const { docker, berth } = await both(args);
    expect(berth, `berth ${args.join(' ')}`).toEqual(docker);
    return berth;
  }

  async function berthOk(args: string[]): Promise<string> {
    const result = await daemon().berth(args);
    expect(result.stderr, `berth ${args.join(' ')}`).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  }

  /** GET over the namespace's loopback, from inside the namespace; what the published port answers. */
  async function fetchInside(port: string, path: string): Promise<string> {
    const script = `fetch('http://127.0.0.1:${port}${path}').then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { console.error(String(e)); process.exit(1); })`;
    // httpd may not be listening yet right after `run -d` returns.
    for (let attempt = 0; ; attempt++) {
      const result = await netns!.run(process.execPath, ['-e', script]);
      if (result.code === 0 || attempt === 50) return result.stdout;
      await sleep(100);
    }
  }

  /** A network's inspect JSON with what differs between two networks made alike (name, ID, time, subnet) taken out. */
  async function createdAlike(name: string): Promise<unknown> {
    const [network] = JSON.parse(await berthOk(['network', 'inspect', name])) as Record<string, unknown>[];
    const { Name: _name, Id: _id, Created: created, ...rest } = network!;
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    return JSON.parse(JSON.stringify(rest).replaceAll(/10\.2\d\d\./g, '10.2xx.'));
  }

  it('creates networks with --subnet, --gateway, --label and --internal as docker does', async () => {
    // Labels in key order: berthd keeps them in the order given, where Docker's daemon sorts them.
    const flags = (n: number): string[] => ['--subnet', `10.20${n}.0.0/24`, '--gateway', `10.20${n}.0.254`, '--label', 'solo', '--label', 'team=a', '--internal'];
    const docker = await daemon().dockerCli(['network', 'create', ...flags(1), 'dnet']);
    const berth = await daemon().berth(['network', 'create', ...flags(2), 'bnet']);
    expect(berth.code).toBe(docker.code);
    expect(berth.stderr).toBe(docker.stderr);
    expect(berth.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(docker.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(await createdAlike('bnet')).toEqual(await createdAlike('dnet'));
    expect(await createdAlike('bnet')).toMatchObject({
      Driver: 'bridge',
      Internal: true,
      IPAM: { Config: [{ Subnet: '10.2xx.0.0/24', Gateway: '10.2xx.0.254' }] },
      Labels: { team: 'a', solo: '' },
    });
    // A name taken, and a gateway outside its subnet: refused alike.
    await same(['network', 'create', 'bnet']);
    await same(['network', 'create', '--subnet', '10.203.0.0/24', '--gateway', '10.9.0.1', 'x']);
  });

  it('lists networks: the table, -q, --filter and --format', async () => {
    const table = await same(['network', 'ls']);
    expect(table.stdout).toMatch(/^NETWORK ID {5}NAME {6}DRIVER {4}SCOPE\n/);
    expect(table.stdout).toMatch(/\n[0-9a-f]{12} {3}bnet {6}bridge {4}local\n/);
    expect((await same(['network', 'ls', '-q'])).stdout.split('\n').filter(Boolean)).toHaveLength(5);
    await same(['network', 'ls', '--no-trunc', '-q']);
    expect((await same(['network', 'ls', '-q', '--filter', 'label=team=a', '--format', '{{.Name}}'])).stdout).toBe('bnet\ndnet\n');
    await same(['network', 'ls', '--filter', 'driver=null']);
    await same(['network', 'ls', '--filter', 'name=net', '--filter', 'type=custom']);
    const formatted = await same(['network', 'ls', '--filter', 'label=solo', '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.IPv4}} {{.IPv6}}']);
    expect(formatted.stdout).toBe('bnet bridge local true true false\ndnet bridge local true true false\n');
    await same(['network', 'ls', '--no-trunc', '--format', 'table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}']);
    // docker joins {{.Labels}} in Go's random map order; berth in key order.
    expect(await berthOk(['network', 'ls', '--filter', 'name=bnet', '--format', '{{.Labels}}'])).toBe('solo=,team=a\n');
    await same(['network', 'ls', '--filter', 'driver=host', '--format', 'json']);
    await same(['network', 'ls', '--filter', 'nonsense=1']);
  });

  it('inspects networks, with -f, and reports the missing as docker does', async () => {
    await same(['network', 'inspect', 'bnet', 'bridge', 'host']);
    const formatted = await same(['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Internal}} {{json .IPAM}} {{json .Labels}} {{.Labels}} {{index .Labels "team"}}', 'bnet', 'nope', 'none']);
    expect(formatted).toMatchObject({ code: 1, stderr: 'Error response from daemon: network nope not found\n' });
    // Created is a Go time.Time to docker's templates.
    expect((await same(['network', 'inspect', '-f', '{{.Created}} {{json .Created}}', 'bnet'])).stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC "/);
    expect(formatted.stdout).toContain('bnet bridge true {"Driver":"default","Options":{},"Config":[{"Subnet":"10.202.0.0/24","Gateway":"10.202.0.254"}]} {"solo":"","team":"a"} map[solo: team:a] a\n');
  });

  it('connects a running container with --alias and disconnects it', async () => {
    await berthOk(['run', '-d', '--name', 'nc1', '--network', 'bnet', 'busybox', 'sleep', '30']);
    expect(await berthOk(['network', 'connect', '--alias', 'web', '--alias', 'www', 'dnet', 'nc1'])).toBe('');
    const endpoint = await same(['inspect', '-f', '{{json .NetworkSettings.Networks.dnet.Aliases}} {{.NetworkSettings.Networks.dnet.IPAddress}} {{.NetworkSettings.Networks.dnet.IPPrefixLen}}', 'nc1']);
    expect(endpoint.stdout).toBe('["web","www"] 10.201.0.1 24\n');
    const attached = await same(['network', 'inspect', '-f', '{{json .Containers}}', 'dnet']);
    expect(Object.values(JSON.parse(attached.stdout) as Record<string, unknown>)).toMatchObject([{ Name: 'nc1', IPv4Address: '10.201.0.1/24' }]);
    await same(['network', 'connect', 'dnet', 'nc1']);
    await same(['network', 'connect', 'nope', 'nc1']);
    expect(await berthOk(['network', 'disconnect', 'dnet', 'nc1'])).toBe('');
    expect((await same(['inspect', '-f', '{{json .NetworkSettings.Networks.dnet}}', 'nc1'])).stdout).toBe('null\n');
    await same(['network', 'disconnect', 'dnet', 'nc1']);
  });

  it('refuses to remove a network in use with docker\'s message and status, and removes one that is not', async () => {
    const inUse = await same(['network', 'rm', 'bnet']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/^Error response from daemon: error while removing network: network bnet has active endpoints \(name:"nc1" id:"[0-9a-f]{12}"\)\nexit status 1\n$/);
    await same(['network', 'rm', 'nope', 'bnet']);
    expect(await daemon().berth(['network', 'rm', 'dnet'])).toEqual({ code: 0, stdout: 'dnet\n', stderr: '' });
    await same(['network', 'rm', 'bridge']);
  });

  it('prunes unused networks with -f', async () => {
    const pruned = async (cli: 'berth' | 'dockerCli'): Promise<CommandResult> => {
      await berthOk(['network', 'create', 'prune-a']);
      await berthOk(['network', 'create', '--label', 'x=1', 'prune-b']);
      return daemon()[cli](['network', 'prune', '-f']);
    };
    const berth = await pruned('berth');
    expect(berth).toEqual(await pruned('dockerCli'));
    expect(berth.stdout).toBe('Deleted Networks:\nprune-a\nprune-b\n\n');
    // bnet is used by nc1 and stays; nothing else is left to prune.
    expect(await same(['network', 'prune', '-f'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await same(['network', 'ls', '--format', '{{.Name}}'])).stdout).toBe('bnet\nbridge\nhost\nnone\n');
  });

  it('publishes -p 127.0.0.1:18080:8080 and shows it in port and ps', async () => {
    await berthOk(['run', '-d', '--name', 'web', '-p', '127.0.0.1:18080:8080', 'busybox', 'httpd', '-f', '-p', '8080', '-h', '/etc']);
    expect((await same(['port', 'web'])).stdout).toBe('8080/tcp -> 127.0.0.1:18080\n');
    expect((await same(['port', 'web', '8080'])).stdout).toBe('127.0.0.1:18080\n');
    await same(['port', 'web', '8080/tcp']);
    expect(await same(['port', 'web', '9999'])).toMatchObject({ code: 1, stderr: "Error: No public port '9999' published for web\n" });
    await same(['port', 'web', '8080/udp']);
    await same(['port', 'nope']);
    expect(await psPorts('web')).toBe('127.0.0.1:18080->8080/tcp');
    const id = (await berthOk(['inspect', '-f', '{{.Id}}', 'web'])).trim();
    expect(await fetchInside('18080', '/hostname')).toBe(`${id.slice(0, 12)}\n`);
  });

  it('publishes --expose 80 with -P to a port of the daemon\'s choosing', async () => {
    await berthOk(['run', '-d', '--name', 'pall', '-P', '--expose', '80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    const mapping = (await same(['port', 'pall'])).stdout;
    const [, hostPort] = /^80\/tcp -> 0\.0\.0\.0:(\d+)\n$/.exec(mapping) ?? [];
    expect(Number(hostPort)).toBeGreaterThanOrEqual(32768);
    await same(['port', 'pall', '80']);
    expect(await psPorts('pall')).toBe(`0.0.0.0:${hostPort}->80/tcp`);
    const id = (await berthOk(['inspect', '-f', '{{.Id}}', 'pall'])).trim();
    expect(await fetchInside(hostPort!, '/hostname')).toBe(`${id.slice(0, 12)}\n`);
  });

  /** The PORTS column of `ps` for one container, checked equal through both CLIs (the times may differ by a second). */
  async function psPorts(name: string): Promise<string> {
    const { docker, berth } = await both(['ps', '--filter', `name=^${name}$`]);
    const rows = (out: string): string[][] => out.trimEnd().split('\n').map((line) => line.split(/ {2,}/));
    const columns = (out: string): { header: string[]; ports: string; names: string } => {
      const [header, row] = rows(out);
      return { header: header!, ports: row![header!.indexOf('PORTS')]!, names: row![header!.indexOf('NAMES')]! };
    };
    expect(berth.code).toBe(docker.code);
    expect(columns(berth.stdout)).toEqual(columns(docker.stdout));
    expect(columns(berth.stdout).names).toBe(name);
    return columns(berth.stdout).ports;
  }

  it('inspects with --type network as docker does', async () => {
    await same(['inspect', '--type', 'network', 'bnet', 'bridge']);
    expect((await same(['inspect', '--type', 'network', '-f', '{{.Name}} {{.Driver}} {{json .Labels}} {{.Internal}}', 'bnet'])).stdout).toBe('bnet bridge {"solo":"","team":"a"} true\n');
    await same(['inspect', '--type', 'network', 'nope']);
    await same(['inspect', '--type', 'network', '-f', '{{.Created}}', 'bnet']);
    await same(['inspect', 'bnet', '--format', '{{.Name}} {{.Scope}}']);
  });
});
