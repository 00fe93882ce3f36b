import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, dockerOk, run, useTestDaemon, type CommandResult } from './harness.js';
import { BERTH } from './paths.js';
import { startRegistry, type TestRegistry } from './registry-harness.js';

// `berth run`/`berth create` against `docker run`/`docker create` (CLI 28) for every flag: the same flags
// through each client, against one berthd, must make the same container (inspect's Config and HostConfig),
// the same refusal from the daemon, or the same refusal from the CLI (exit 125 and docker's words).

const d = useTestDaemon();

let dir = '';
let registry: TestRegistry;
/** Files the flags read, by name in the flag lists below. */
const files = (): Record<string, string> => ({
  $ENV_FILE: join(dir, 'env.list'),
  $LABEL_FILE: join(dir, 'labels.list'),
  $SECCOMP: join(dir, 'seccomp.json'),
  $CIDFILE: join(dir, 'cid'),
  $REGISTRY: registry.host,
});
const substitute = (args: string[]): string[] => args.map((arg) => Object.entries(files()).reduce((text, [name, value]) => text.replaceAll(name, value), arg));

beforeAll(async () => {
  // Both clients run with this process's environment: `-e FROM_CLI` and a bare FROM_CLI line take it from there.
  process.env.FROM_CLI = 'from the cli';
  dir = await mkdtemp(join(tmpdir(), 'berth-run-flags-cli-'));
  await writeFile(join(dir, 'env.list'), '# settings\nA=from file\nFROM_CLI\nUNSET_IN_CLI\n\n  B=2\n');
  await writeFile(join(dir, 'labels.list'), 'tier=file\nbare\n');
  await writeFile(join(dir, 'seccomp.json'), '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": []\n}\n');
  registry = await startRegistry();
  const copied = await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/flags/box:latest`]);
  expect(copied.code, copied.stderr).toBe(0);
});

afterAll(async () => {
  delete process.env.FROM_CLI;
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Masks what differs between two containers made alike: their ids, names and the program's name. */
const mask = (text: string): string =>
  text
    .replace(/\b[0-9a-f]{64}\b/g, '<id>')
    .replace(/\b[0-9a-f]{12}\b/g, '<short-id>')
    .replace(/\b(dk|bt)-\d+\b/g, '<name>')
    .replace(/\bberth\b/g, 'docker');

const outcome = (result: CommandResult) => ({ code: result.code, stdout: mask(result.stdout), stderr: mask(result.stderr) });

let serial = 0;

/** `create` (or `run`) through both clients with `flags`: their outcomes, and the containers' names. */
async function both(command: 'create' | 'run', flags: string[], tail: string[] = ['busybox']) {
  serial++;
  const names = { docker: `dk-${serial}`, berth: `bt-${serial}` };
  const args = (name: string) => substitute([command, '--name', name, ...flags, ...tail]);
  await rm(files().$CIDFILE, { force: true });
  const docker = await d.dockerCli(args(names.docker));
  await rm(files().$CIDFILE, { force: true });
  const berth = await d.berth(args(names.berth));
  return { docker, berth, names };
}

/** inspect's Config and HostConfig of a container, masked. */
async function configOf(name: string): Promise<unknown> {
  const [container] = JSON.parse(await dockerOk(d, ['inspect', name])) as Array<{ Config: { Env?: string[] | null }; HostConfig: unknown }>;
  // docker sends the -e values in Go's random map order (documented), berth in command-line order: compared as a set.
  const config = { ...container!.Config, Env: container!.Config.Env ? [...container!.Config.Env].sort() : container!.Config.Env };
  return JSON.parse(mask(JSON.stringify({ Config: config, HostConfig: container!.HostConfig })));
}

const accepted: Record<string, string[]> = {
  'no flags': [],
  'config flags': ['-u', '1000:1000', '-l', 'a=b', '-l', 'solo', '--label-file', '$LABEL_FILE', '--env-file', '$ENV_FILE', '-e', 'X=1', '-e', 'FROM_CLI', '-e', 'NOT_IN_CLI', '-w', '/tmp', '--entrypoint', 'sh', '--stop-signal', 'SIGUSR1', '--stop-timeout', '5', '--init', '-h', 'box', '--domainname', 'example.org', '--annotation', 'k=v', '--rm'],
  'memory and cpu': ['-m', '64m', '--memory-swap', '-1', '--cpus', '1.5', '-c', '512', '--pids-limit', '100', '--shm-size', '128m', '--memory-swappiness', '-1', '--kernel-memory', '10m', '--oom-score-adj', '10'],
  'cpu period and quota': ['--cpu-period', '100000', '--cpu-quota', '50000', '--memory', '1g', '--memory-swap', '2g'],
  ulimits: ['--ulimit', 'nproc=64', '--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=32:64', '--ulimit', 'core=-1'],
  'privileges and security options': ['--cap-add', 'net_admin', '--cap-add', 'CAP_CHOWN', '--cap-drop', 'all', '--privileged', '--read-only', '--security-opt', 'seccomp=$SECCOMP', '--security-opt', 'no-new-privileges', '--security-opt', 'systempaths=unconfined', '--group-add', '10', '--group-add', 'audio', '--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmax=65536'],
  namespaces: ['--pid', 'host', '--ipc', 'host', '--uts', 'host', '--userns', 'host', '--cgroupns', 'private', '--isolation', 'default', '--runtime', 'runc'],
  'logging, mounts, policies': ['--log-driver', 'json-file', '--log-opt', 'max-size=1m', '--log-opt', 'max-file=2', '--tmpfs', '/t:size=1m', '--mount', 'type=tmpfs,dst=/m', '-v', '/anon', '--volume-driver', 'local', '--restart', 'on-failure:2', '--health-cmd', 'true', '--health-interval', '2s', '--health-retries', '3', '--expose', '80'],
  'streams and terminal': ['-i', '-t', '-a', 'STDOUT', '-a', 'stdin'],
  'healthcheck off, init off': ['--no-healthcheck', '--init=false', '--oom-kill-disable=false'],
  cidfile: ['--cidfile', '$CIDFILE'],
  'api socket': ['--use-api-socket'],
  'content trust and pull flags': ['--disable-content-trust', '--pull', 'never', '-q', '--platform', 'linux/amd64'],
};

describe('create makes the same container as docker create', () => {
  it.each(Object.entries(accepted))('%s', async (_, flags) => {
    const { docker, berth, names } = await both('create', flags);
    expect(docker.code, docker.stderr).toBe(0);
    expect(outcome(berth)).toEqual(outcome(docker));
    expect(await configOf(names.berth)).toEqual(await configOf(names.docker));
    if (flags.includes('--cidfile')) expect(await readFile(files().$CIDFILE, 'utf8')).toBe(berth.stdout.trim());
  });
});

/** Flags the docker CLI sends and berthd refuses (400, naming the flag): the same refusal, nothing made. */
const refusedByTheDaemon: string[][] = [
  ['--blkio-weight', '300'],
  ['--blkio-weight-device', '/dev/null:100'],
  ['--cgroup-parent', 'custom'],
  ['--cpu-count', '2'],
  ['--cpu-percent', '50'],
  ['--cpu-rt-period', '1000'],
  ['--cpu-rt-runtime', '100'],
  ['--cpuset-cpus', '0'],
  ['--cpuset-mems', '0'],
  ['--device', '/dev/null:/dev/xnull:rw'],
  ['--device', 'vendor.com/class=dev0'],
  ['--device-cgroup-rule', 'c 1:3 rwm'],
  ['--device-read-bps', '/dev/null:1mb'],
  ['--device-read-iops', '/dev/null:100'],
  ['--device-write-bps', '/dev/null:1mb'],
  ['--device-write-iops', '/dev/null:100'],
  ['--gpus', 'all'],
  ['--io-maxbandwidth', '1m'],
  ['--io-maxiops', '100'],
  ['--link-local-ip', '169.254.1.1'],
  ['--memory-reservation', '32m'],
  ['--memory-swappiness', '50'],
  ['--oom-kill-disable'],
  ['--storage-opt', 'size=1G'],
  ['--ipc', 'none'],
  ['--volume-driver', 'other'],
  ['--runtime', 'nosuch'],
  ['--isolation', 'hyperv'],
];

describe('flags berthd refuses are refused alike', () => {
  it.each(refusedByTheDaemon.map((flags) => [flags.join(' '), flags] as const))('%s', async (_, flags) => {
    const before = (await d.docker.listContainers({ all: true })).length;
    const { docker, berth } = await both('create', flags);
    expect(docker.code).not.toBe(0);
    expect(outcome(berth)).toEqual(outcome(docker));
    expect((await d.docker.listContainers({ all: true })).length).toBe(before);
  });
});

/** Bad values: refused by the CLI before anything is sent, with docker's words and status 125. */
const refusedByTheCli: string[][] = [
  ['-m', 'x'],
  ['-m', '1q'],
  ['--memory-swap', '-2'],
  ['--shm-size', '-1'],
  ['--kernel-memory', 'lots'],
  ['--cpus', 'x'],
  ['--cpus', '0.0000000001'],
  ['-c', 'x'],
  ['--pids-limit', 'x'],
  ['--oom-score-adj', 'x'],
  ['--stop-timeout', 'x'],
  ['--blkio-weight', '70000'],
  ['--io-maxiops', '-1'],
  ['--memory-swappiness', '101'],
  ['--ulimit', 'nofile'],
  ['--ulimit', 'bogus=1'],
  ['--ulimit', 'nofile=a:b'],
  ['--ulimit', 'nofile=2:1'],
  ['--device', '/dev/x:rel'],
  ['--device', '/dev/x:/y:bad'],
  ['--device-cgroup-rule', 'bogus'],
  ['--blkio-weight-device', '/dev/sda:5'],
  ['--device-read-bps', 'sda:1'],
  ['--device-write-iops', '/dev/sda:x'],
  ['--gpus', 'foo=1'],
  ['--gpus', 'count=x'],
  ['--sysctl', 'kernel.foo=1'],
  ['--security-opt', 'foo'],
  ['--security-opt', 'seccomp=/nonexistent/profile.json'],
  ['--env-file', '/nonexistent/env'],
  ['--label-file', '/nonexistent/labels'],
  ['-e', '=x'],
  ['-l', 'a b=c'],
  ['-a', 'bogus'],
  ['--pid', 'bogus'],
  ['--uts', 'bogus'],
  ['--userns', 'bogus'],
  ['--cgroupns', 'bogus'],
  ['--pull', 'bogus'],
  ['--storage-opt', 'bogus'],
  ['--log-driver', 'none', '--log-opt', 'a=b'],
  ['--rm', '--restart', 'always'],
  ['--restart', 'on-failure:x'],
];

describe('bad values are refused as docker refuses them', () => {
  it.each(refusedByTheCli.map((flags) => [flags.join(' '), flags] as const))('%s', async (_, flags) => {
    for (const command of ['create', 'run'] as const) {
      const { docker, berth } = await both(command, flags);
      expect(docker.code).toBe(125);
      expect(outcome(berth)).toEqual(outcome(docker));
    }
  });
});

describe('run flags', () => {
  it('-a attaches only the streams named', async () => {
    const { docker, berth } = await both('run', ['--rm', '-a', 'stderr'], ['busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(outcome(docker)).toEqual({ code: 3, stdout: '', stderr: 'err\n' });
    expect(outcome(berth)).toEqual(outcome(docker));
  });

  it('-a with -d is a conflict', async () => {
    const { docker, berth } = await both('run', ['-d', '-a', 'stdout']);
    expect(docker.code).toBe(1);
    expect(outcome(berth)).toEqual(outcome(docker));
  });

  it('--sig-proxy=false still runs attached', async () => {
    const { docker, berth } = await both('run', ['--rm', '--sig-proxy=false'], ['busybox', 'echo', 'hi']);
    expect(outcome(docker)).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
    expect(outcome(berth)).toEqual(outcome(docker));
  });

  it('--cidfile gets the id, and an existing one is refused', async () => {
    const { docker, berth } = await both('run', ['--rm', '--cidfile', '$CIDFILE'], ['busybox', 'true']);
    expect(docker.code, docker.stderr).toBe(0);
    expect(outcome(berth)).toEqual(outcome(docker));
    expect(await readFile(files().$CIDFILE, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    for (const command of ['run', 'create'] as const) {
      const args = substitute([command, '--cidfile', '$CIDFILE', 'busybox', 'true']);
      expect(outcome(await d.berth(args))).toEqual(outcome(await d.dockerCli(args)));
    }
  });

  it('--pull never does not pull a missing image; -q pulls it silently; --pull always pulls a present one', async () => {
    const image = '$REGISTRY/flags/box';
    for (const flags of [['--pull', 'never'], ['-q'], ['--pull', 'always']]) {
      const rmi = async () => d.dockerCli(substitute(['rmi', '-f', image]));
      if (flags[1] !== 'always') await rmi();
      const docker = await d.dockerCli(substitute(['run', '--rm', ...flags, image, 'echo', 'ran']));
      if (flags[1] !== 'always') await rmi();
      const berth = await d.berth(substitute(['run', '--rm', ...flags, image, 'echo', 'ran']));
      expect(docker.code, flags.join(' ')).toBe(flags[1] === 'never' ? 125 : 0);
      if (flags[1] === 'always') {
        // Both print the registry's progress on stderr; its lines differ only in what the pull found.
        expect([berth.code, berth.stdout]).toEqual([docker.code, docker.stdout]);
      } else {
        expect(outcome(berth)).toEqual(outcome(docker));
      }
    }
  });

  it('--platform of another architecture is not found locally and is pulled for', async () => {
    const args = substitute(['create', '--platform', 'linux/s390x', '$REGISTRY/flags/box']);
    const docker = await d.dockerCli(args);
    const berth = await d.berth(args);
    expect(docker.code).not.toBe(0);
    expect(outcome(berth)).toEqual(outcome(docker));
  });

  it('--env-file is read by berth run straight from its #! line, not by node', async () => {
    const result = await run(BERTH, ['run', '--env-file', '/nonexistent/env', 'busybox'], { env: { DOCKER_HOST: d.host, BERTH_HOST: d.host } });
    expect(outcome(result)).toEqual({ code: 125, stdout: '', stderr: "docker: open /nonexistent/env: no such file or directory\n\nRun 'docker run --help' for more information\n" });
  });
});
