import { spawn } from 'node:child_process';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

// Flags of `docker run`/`docker create` (CLI 28) that other e2e files do not cover: each is honoured
// as Docker does, or refused with a 4xx that names it and leaves nothing behind. docs/compatibility.md
// lists every flag and the test that covers it.

const d = useTestDaemon();

/** `docker run --rm [flags] busybox sh -c script`, its stdout trimmed; fails on a non-zero exit. */
async function inside(flags: string[], script: string): Promise<string> {
  const r = await d.dockerCli(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A raw Engine API request, for what the docker CLI does not send or checks itself. */
function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: { message?: string; Id?: string } }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath: d.socket, method, path: `/v1.47${path}`, headers: payload ? { 'Content-Type': 'application/json' } : {} },
      (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : {} }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const containerCount = async (): Promise<number> => (await d.docker.listContainers({ all: true })).length;

describe('DNS flags write the container /etc/resolv.conf', () => {
  it('--dns, --dns-search and --dns-option replace the host entries', async () => {
    const flags = ['--dns', '10.9.8.7', '--dns', '10.9.8.6', '--dns-search', 'berth.test', '--dns-search', 'example.test', '--dns-option', 'ndots:3'];
    expect(await inside(flags, 'cat /etc/resolv.conf')).toBe(
      'search berth.test example.test\nnameserver 10.9.8.7\nnameserver 10.9.8.6\noptions ndots:3',
    );
  });

  it('each of them alone keeps the host entries of the others', async () => {
    const host = await readFile('/etc/resolv.conf', 'utf8');
    const hostServers = host.split('\n').filter((line) => /^nameserver\s/.test(line) && !/\s(127\.|::1$)/.test(line));
    const resolv = await inside(['--dns-option', 'attempts:2'], 'cat /etc/resolv.conf');
    expect(resolv).toContain('options attempts:2');
    for (const line of hostServers) expect(resolv).toContain(line.trim());
  });

  it('also with host networking', async () => {
    expect(await inside(['--network', 'host', '--dns', '10.9.8.7'], 'grep nameserver /etc/resolv.conf')).toBe('nameserver 10.9.8.7');
  });

  it('a nameserver that is not an IP address is refused at create', async () => {
    const before = await containerCount();
    const r = await api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { Dns: ['not an ip'] } });
    expect(r).toMatchObject({ status: 400, json: { message: 'IP address is not correctly formatted: not an ip' } });
    expect(await containerCount()).toBe(before);
  });
});

describe('--group-add', () => {
  it('adds supplementary groups by name and by number', async () => {
    expect(await inside(['--group-add', 'daemon', '--group-add', '4321', '-u', 'nobody'], 'id')).toBe(
      'uid=65534(nobody) gid=65534(nogroup) groups=1(daemon),4321,65534(nogroup)',
    );
    expect(await inside(['--group-add', '4321', '-u', '1000:1000'], 'id -G')).toBe('1000 4321');
  });

  it('an unknown group name fails the start with runc message', async () => {
    const r = await d.dockerCli(['run', '--rm', '--group-add', 'nosuchgroup', 'busybox', 'id']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('Unable to find group nosuchgroup: no matching entries in group file');
  });
});

describe('namespaces', () => {
  it('--network host: the container has the host name unless -h is given', async () => {
    expect(await inside(['--network', 'host'], 'hostname; cat /etc/hostname; echo $HOSTNAME')).toBe(`${hostname()}\n${hostname()}\n${hostname()}`);
    expect(await inside(['--network', 'host', '-h', 'boat'], 'hostname')).toBe('boat');
    const hosts = await readFile('/etc/hosts', 'utf8');
    expect(await inside(['--network', 'host'], 'cat /etc/hosts')).toBe(hosts.trim());
    expect(await inside(['--network', 'none'], 'ls /sys/class/net')).toBe('lo');
  });

  it('--ipc host, --pid host and --uts host share the host namespaces; the defaults do not', async () => {
    const ns = async (kind: string) => readlink(`/proc/self/ns/${kind}`);
    const script = 'for kind in ipc pid uts; do readlink /proc/self/ns/$kind; done';
    const shared = [await ns('ipc'), await ns('pid'), await ns('uts')].join('\n');
    expect(await inside(['--ipc', 'host', '--pid', 'host', '--uts', 'host'], script)).toBe(shared);
    const own = (await inside([], script)).split('\n');
    expect(own).toHaveLength(3);
    for (const link of own) expect(shared.split('\n')).not.toContain(link);
  });

  it('--cgroupns private gives a cgroup namespace of its own; host (the default) does not', async () => {
    const host = await readlink('/proc/self/ns/cgroup');
    expect(await inside(['--cgroupns', 'host'], 'readlink /proc/self/ns/cgroup')).toBe(host);
    expect(await inside([], 'readlink /proc/self/ns/cgroup')).toBe(host);
    expect(await inside(['--cgroupns', 'private'], 'readlink /proc/self/ns/cgroup')).not.toBe(host);
  });

  it('--userns host, --isolation default, --runtime runc, --volume-driver local, --network none are accepted; inspect shows the modes used', async () => {
    const flags = ['--userns', 'host', '--isolation', 'default', '--runtime', 'runc', '--volume-driver', 'local', '--network', 'none'];
    const id = (await d.dockerCli(['create', ...flags, 'busybox', 'true'])).stdout.trim();
    const { HostConfig } = await d.docker.getContainer(id).inspect();
    expect(HostConfig).toMatchObject({ IpcMode: 'private', CgroupnsMode: 'host', UsernsMode: 'host', Runtime: 'runc', Isolation: 'default', VolumeDriver: 'local' });
    expect(HostConfig.NetworkMode).toBe('none');
    await d.dockerCli(['rm', id]);
  });
});

describe('environment', () => {
  it('-e NAME with NAME unset in the client: the container runs and NAME is not set, as with dockerd', async () => {
    const r = await d.dockerCli(['run', '--rm', '-e', 'BERTH_E2E_UNSET_VARIABLE', 'busybox', 'env']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('BERTH_E2E_UNSET_VARIABLE');
    expect(r.stdout).toMatch(/^PATH=/m);
  });

  it('a bare name unsets the engine default of that name; the request env comes first in inspect', async () => {
    const created = await api('POST', '/containers/create', { Image: 'busybox', Cmd: ['env'], Env: ['HOSTNAME', 'A=1'] });
    expect(created.status).toBe(201);
    const container = d.docker.getContainer(created.json.Id!);
    expect((await container.inspect()).Config.Env).toEqual(['HOSTNAME', 'A=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    const r = await d.dockerCli(['start', '-a', created.json.Id!]);
    expect(r.stdout).toContain('A=1');
    expect(r.stdout).not.toContain('HOSTNAME=');
    await container.remove();
  });

  it('--env-file and --label-file', async () => {
    const envFile = join(d.root, 'flags.env');
    const labelFile = join(d.root, 'flags.labels');
    await writeFile(envFile, 'FROM_FILE=yes\n');
    await writeFile(labelFile, 'team=berth\n');
    expect(await inside(['--env-file', envFile], 'echo $FROM_FILE')).toBe('yes');
    const id = (await d.dockerCli(['create', '--label-file', labelFile, 'busybox', 'true'])).stdout.trim();
    expect((await d.docker.getContainer(id).inspect()).Config.Labels).toMatchObject({ team: 'berth' });
    await d.dockerCli(['rm', id]);
  });
});

describe('process and runtime settings', () => {
  it('--oom-score-adj', async () => {
    expect(await inside(['--oom-score-adj', '321'], 'cat /proc/self/oom_score_adj')).toBe('321');
  });

  it('--security-opt systempaths=unconfined leaves /proc unmasked and writable', async () => {
    const script = 'grep -cE " /proc/(sys|keys) " /proc/mounts || true';
    expect(await inside([], script)).toBe('2');
    expect(await inside(['--security-opt', 'systempaths=unconfined'], script)).toBe('0');
    const { HostConfig } = await d.docker.getContainer((await d.dockerCli(['create', 'busybox', 'true'])).stdout.trim()).inspect();
    expect(HostConfig.MaskedPaths).toContain('/proc/kcore');
    expect(HostConfig.ReadonlyPaths).toContain('/proc/sys');
  });

  it('--annotation reaches the OCI runtime config', async () => {
    const id = (await d.dockerCli(['run', '-d', '--annotation', 'org.berth.test=yes', 'busybox', 'sleep', '30'])).stdout.trim();
    const spec = JSON.parse(await readFile(join(d.dataRoot, 'containers', id, 'bundle', 'config.json'), 'utf8')) as { annotations?: object };
    expect(spec.annotations).toEqual({ 'org.berth.test': 'yes' });
    const { HostConfig } = await d.docker.getContainer(id).inspect();
    expect(HostConfig).toMatchObject({ Annotations: { 'org.berth.test': 'yes' } });
    await d.dockerCli(['rm', '-f', id]);
  });

  it('--cpu-period and --cpu-quota reach the cgroup', async () => {
    const id = (await d.dockerCli(['run', '-d', '--cpu-period', '50000', '--cpu-quota', '25000', 'busybox', 'sleep', '30'])).stdout.trim();
    const read = async (file: string) => (await readFile(`/sys/fs/cgroup/cpu/berth/${id}/${file}`, 'utf8')).trim();
    expect([await read('cpu.cfs_period_us'), await read('cpu.cfs_quota_us')]).toEqual(['50000', '25000']);
    await d.dockerCli(['rm', '-f', id]);
  });

  it('--platform: the image platform is accepted, another one is not found', async () => {
    const id = (await d.dockerCli(['create', '--platform', 'linux/amd64', 'busybox', 'true'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await d.dockerCli(['rm', id]);
    const before = await containerCount();
    const r = await api('POST', '/containers/create?platform=linux%2Farm64', { Image: 'busybox', Cmd: ['true'] });
    expect(r).toMatchObject({
      status: 404,
      json: { message: 'image with reference busybox was found but its platform (linux/amd64) does not match the specified platform (linux/arm64)' },
    });
    expect(await containerCount()).toBe(before);
  });
});

describe('client-side flags', () => {
  it('--cidfile, -a, -q and --pull never', async () => {
    const cidfile = join(d.root, 'flags.cid');
    const r = await d.dockerCli(['run', '--rm', '--cidfile', cidfile, '-a', 'stdout', '-q', '--pull', 'never', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'out\n' });
    expect(r.stderr).not.toContain('err');
    expect(await readFile(cidfile, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--sig-proxy (on by default) passes a signal the client gets to the container', async () => {
    const script = 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done';
    const child = spawn('docker', ['run', '--rm', 'busybox', 'sh', '-c', script], {
      env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.root, 'docker-config') },
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(3);
    expect(out).toContain('got TERM');
  });

  it('--use-api-socket mounts the engine socket in the container', async () => {
    expect(await inside(['--use-api-socket'], 'test -S /var/run/docker.sock && echo socket')).toBe('socket');
  });
});

/**
 * Flags berth cannot apply: `docker create` must fail with a 4xx that names the flag, creating nothing.
 * `cli`: the docker CLI refuses the flag itself with this message; the API field is still refused.
 */
const REFUSED: Array<{ flags: string[]; message: string; hostConfig: Record<string, unknown>; cli?: string }> = [
  { flags: ['--blkio-weight', '300'], message: '--blkio-weight', hostConfig: { BlkioWeight: 300 } },
  { flags: ['--blkio-weight-device', '/dev/null:200'], message: '--blkio-weight-device', hostConfig: { BlkioWeightDevice: [{ Path: '/dev/null', Weight: 200 }] } },
  { flags: ['--cgroup-parent', 'custom'], message: '--cgroup-parent', hostConfig: { CgroupParent: 'custom' } },
  { flags: ['--cpu-count', '2'], message: '--cpu-count', hostConfig: { CpuCount: 2 }, cli: '"--cpu-count" is only supported on a Docker daemon running on windows' },
  { flags: ['--cpu-percent', '20'], message: '--cpu-percent', hostConfig: { CpuPercent: 20 }, cli: '"--cpu-percent" is only supported on a Docker daemon running on windows' },
  { flags: ['--cpu-rt-period', '1000'], message: '--cpu-rt-period', hostConfig: { CpuRealtimePeriod: 1000 } },
  { flags: ['--cpu-rt-runtime', '500'], message: '--cpu-rt-runtime', hostConfig: { CpuRealtimeRuntime: 500 } },
  { flags: ['--cpuset-cpus', '0'], message: '--cpuset-cpus', hostConfig: { CpusetCpus: '0' } },
  { flags: ['--cpuset-mems', '0'], message: '--cpuset-mems', hostConfig: { CpusetMems: '0' } },
  { flags: ['--device', '/dev/null'], message: '--device', hostConfig: { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }] } },
  { flags: ['--device-cgroup-rule', 'c 1:3 r'], message: '--device-cgroup-rule', hostConfig: { DeviceCgroupRules: ['c 1:3 r'] } },
  { flags: ['--device-read-bps', '/dev/null:1mb'], message: '--device-read-bps', hostConfig: { BlkioDeviceReadBps: [{ Path: '/dev/null', Rate: 1 }] } },
  { flags: ['--device-read-iops', '/dev/null:100'], message: '--device-read-iops', hostConfig: { BlkioDeviceReadIOps: [{ Path: '/dev/null', Rate: 1 }] } },
  { flags: ['--device-write-bps', '/dev/null:1mb'], message: '--device-write-bps', hostConfig: { BlkioDeviceWriteBps: [{ Path: '/dev/null', Rate: 1 }] } },
  { flags: ['--device-write-iops', '/dev/null:100'], message: '--device-write-iops', hostConfig: { BlkioDeviceWriteIOps: [{ Path: '/dev/null', Rate: 1 }] } },
  { flags: ['--gpus', 'all'], message: '--gpus', hostConfig: { DeviceRequests: [{ Count: -1, Capabilities: [['gpu']] }] } },
  { flags: ['--io-maxbandwidth', '1m'], message: '--io-maxbandwidth', hostConfig: { IOMaximumBandwidth: 1048576 }, cli: '"--io-maxbandwidth" is only supported on a Docker daemon running on windows' },
  { flags: ['--io-maxiops', '10'], message: '--io-maxiops', hostConfig: { IOMaximumIOps: 10 }, cli: '"--io-maxiops" is only supported on a Docker daemon running on windows' },
  { flags: ['--memory-reservation', '10m'], message: '--memory-reservation', hostConfig: { MemoryReservation: 10485760 } },
  { flags: ['--memory-swappiness', '0'], message: '--memory-swappiness', hostConfig: { MemorySwappiness: 0 } },
  { flags: ['--oom-kill-disable'], message: '--oom-kill-disable', hostConfig: { OomKillDisable: true } },
  { flags: ['--storage-opt', 'size=1G'], message: '--storage-opt', hostConfig: { StorageOpt: { size: '1G' } } },
  { flags: ['--ipc', 'none'], message: 'berth does not support --ipc none yet', hostConfig: { IpcMode: 'none' } },
  { flags: ['--ipc', 'container:other'], message: 'berth does not support --ipc container:other yet', hostConfig: { IpcMode: 'container:other' } },
  { flags: ['--pid', 'container:other'], message: 'berth does not support --pid container:other yet', hostConfig: { PidMode: 'container:other' } },
  { flags: ['--userns', 'private'], message: 'berth does not support --userns private yet', hostConfig: { UsernsMode: 'private' }, cli: '--userns: invalid USER mode' },
  { flags: ['--volume-driver', 'flocker'], message: 'berth does not support --volume-driver flocker yet', hostConfig: { VolumeDriver: 'flocker' } },
  { flags: ['--runtime', 'kata'], message: 'Unknown runtime specified kata', hostConfig: { Runtime: 'kata' } },
  { flags: ['--isolation', 'hyperv'], message: `Invalid isolation: "hyperv" - linux only supports 'default'`, hostConfig: { Isolation: 'hyperv' } },
  { flags: ['--oom-score-adj', '2000'], message: 'Invalid value 2000, range for oom score adj is [-1000, 1000]', hostConfig: { OomScoreAdj: 2000 } },
  { flags: ['--cgroupns', 'bogus'], message: 'invalid cgroup namespace mode: bogus', hostConfig: { CgroupnsMode: 'bogus' }, cli: '--cgroupns: invalid CGROUP mode' },
];

describe('refused flags: a 4xx naming the flag, and no container', () => {
  it.each(REFUSED)('$flags', async ({ flags, message, hostConfig, cli: cliMessage }) => {
    const before = await containerCount();
    const cli = await d.dockerCli(['create', ...flags, 'busybox', 'true']);
    if (cliMessage) {
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain(cliMessage);
    } else {
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(`Error response from daemon: `);
      expect(cli.stderr).toContain(message);
    }
    const r = await api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hostConfig });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(message);
    expect(await containerCount()).toBe(before);
  });

  it('settings no CLI 28 flag sends are refused through the API too', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ KernelMemory: 10485760 }, 'berth does not support --kernel-memory (HostConfig.KernelMemory) yet'],
      [{ KernelMemoryTCP: 1 }, 'berth does not support HostConfig.KernelMemoryTCP yet'],
      [{ Cgroup: 'other' }, 'berth does not support HostConfig.Cgroup yet'],
    ];
    for (const [hostConfig, message] of cases) {
      const r = await api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hostConfig });
      expect(r).toMatchObject({ status: 400, json: { message } });
    }
  });

  it('a hostname with --uts host is refused as dockerd does', async () => {
    const r = await d.dockerCli(['create', '--uts', 'host', '-h', 'boat', 'busybox', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr.toLowerCase()).toContain('conflicting options: hostname and the uts mode');
  });

  it('docker update refuses the unsupported resources too', async () => {
    const id = (await d.dockerCli(['create', 'busybox', 'true'])).stdout.trim();
    const r = await d.dockerCli(['update', '--cpuset-cpus', '0', id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('berth does not support --cpuset-cpus (HostConfig.CpusetCpus) yet');
    await d.dockerCli(['rm', id]);
  });
});
