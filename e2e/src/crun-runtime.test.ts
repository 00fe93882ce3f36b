import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_UNPATCHED_RUNC, busyboxArchive, dockerOk, runDetached, startTestDaemon, type TestDaemon } from './harness.js';
import { BERTHD } from './paths.js';

const execFileAsync = promisify(execFile);

/** The host's cgroup mounts: the wrapper detaches the hybrid cgroup2 mount in its own namespace only. */
async function cgroupMounts(): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => / - cgroup2? /.test(line));
}

interface Stats {
  memory_stats: { limit: number };
  pids_stats: { limit: number };
}

// A representative set of what a container does, all under crun (through the wrapper on a hybrid host
// whose cgroup2 mount holds controllers, such as these machines).
describe('berthd --runtime crun', () => {
  let d: TestDaemon;
  let hostCgroups: string[];

  beforeAll(async () => {
    hostCgroups = await cgroupMounts();
    d = await startTestDaemon(['--runtime', 'crun']);
    const loaded = await d.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });

  afterAll(async () => {
    if (!d) return;
    expect(await d.cleanup()).toEqual({ mounts: [], conmons: [], runtimeState: [] });
    expect(await cgroupMounts()).toEqual(hostCgroups);
  });

  const stats = async (id: string) => (await d.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as never)) as unknown as Stats;

  it('shows crun in docker info and in the container', async () => {
    expect(await dockerOk(d, ['info', '--format', '{{.DefaultRuntime}} {{json .Runtimes}}'])).toMatch(/^crun \{"crun":/);
    const id = await runDetached(d, ['busybox', 'sleep', '60']);
    expect((await d.docker.getContainer(id).inspect()).HostConfig.Runtime).toBe('crun');
    await dockerOk(d, ['rm', '-f', id]);
  });

  it('runs a container to its exit code, output and removal', async () => {
    expect(await d.dockerCli(['run', '--rm', 'busybox', 'sh', '-c', 'echo hello; exit 3'])).toEqual({ stdout: 'hello\n', stderr: '', code: 3 });
    expect(await dockerOk(d, ['ps', '-aq'])).toBe('');
  });

  it("reports a missing command in Docker's words, with exit code 127", async () => {
    const missing = await d.dockerCli(['run', '--rm', 'busybox', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('executable file not found in $PATH');
  });

  it('applies memory, pids and cpu limits, which stats reads and update changes', async () => {
    const id = await runDetached(d, ['-m', '64m', '--pids-limit', '50', '--cpus', '0.5', 'busybox', 'sleep', '60']);
    expect(await stats(id)).toMatchObject({ memory_stats: { limit: 64 * 1024 * 1024 }, pids_stats: { limit: 50 } });
    // The pids limit holds: forks past it fail.
    // The sleeps leave the exec's output pipes alone, so that it ends without waiting for them.
    const forks = await d.dockerCli(['exec', id, 'sh', '-c', 'for i in $(seq 60); do sleep 30 </dev/null >/dev/null 2>&1 & done']);
    expect(forks.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    await dockerOk(d, ['update', '-m', '128m', '--memory-swap', '256m', '--pids-limit', '80', id]);
    expect(await stats(id)).toMatchObject({ memory_stats: { limit: 128 * 1024 * 1024 }, pids_stats: { limit: 80 } });
    expect((await d.docker.getContainer(id).inspect()).HostConfig).toMatchObject({ Memory: 128 * 1024 * 1024, PidsLimit: 80, NanoCpus: 500_000_000 });
    await dockerOk(d, ['rm', '-f', id]);
  });

  it('reports a container killed past its memory limit as OOMKilled', async () => {
    const run = await d.dockerCli(['run', '--name', 'oom', '-m', '16m', '--memory-swap', '16m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done']);
    expect(run.code).toBe(137);
    expect((await d.docker.getContainer('oom').inspect()).State).toMatchObject({ OOMKilled: true, ExitCode: 137 });
    await dockerOk(d, ['rm', 'oom']);
  });

  it('execs, pauses, unpauses, lists processes and delivers signals', async () => {
    const id = await runDetached(d, ['busybox', 'sh', '-c', 'trap "echo got USR1; exit 5" USR1; while true; do sleep 0.1; done']);
    expect(await d.dockerCli(['exec', id, 'sh', '-c', 'echo in; exit 7'])).toEqual({ stdout: 'in\n', stderr: '', code: 7 });
    expect(await dockerOk(d, ['exec', '-t', id, 'echo', 'tty'])).toBe('tty\r\n');
    const missing = await d.dockerCli(['exec', id, 'no-such-command']);
    expect(missing.code).toBe(126);
    expect(missing.stderr).toContain('executable file not found');

    await dockerOk(d, ['pause', id]);
    expect((await d.docker.getContainer(id).inspect()).State).toMatchObject({ Status: 'paused', Paused: true });
    const refused = await d.dockerCli(['exec', id, 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('is paused');
    await dockerOk(d, ['unpause', id]);
    expect((await d.docker.getContainer(id).inspect()).State).toMatchObject({ Status: 'running', Paused: false });

    expect(await dockerOk(d, ['top', id])).toContain('sh -c trap');
    await dockerOk(d, ['kill', '-s', 'USR1', id]);
    expect(await dockerOk(d, ['wait', id])).toBe('5\n');
    expect(await dockerOk(d, ['logs', id])).toBe('got USR1\n');
    await dockerOk(d, ['rm', id]);
  });

  it('keeps a running container across a daemon restart, and still execs, stops and removes it', async () => {
    const id = await runDetached(d, ['-m', '32m', 'busybox', 'sleep', '600']);
    const before = await d.docker.getContainer(id).inspect();
    await d.restart();
    expect((await d.docker.getContainer(id).inspect()).State).toMatchObject({ Running: true, Pid: before.State.Pid });
    expect(await dockerOk(d, ['exec', id, 'echo', 'adopted'])).toBe('adopted\n');
    expect(await stats(id)).toMatchObject({ memory_stats: { limit: 32 * 1024 * 1024 } });
    await dockerOk(d, ['stop', '-t', '1', id]);
    expect((await d.docker.getContainer(id).inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    await dockerOk(d, ['rm', id]);
  });

  it('refuses to start with runc while a container crun started runs, naming it, and serves it again under crun', async () => {
    const id = await runDetached(d, ['--name', 'under-crun', 'busybox', 'sleep', '600']);
    try {
      await d.kill();
      const refused = await startOnRoots(d, ['--runtime', 'runc']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('cannot use --runtime runc: containers under-crun were started with crun, which alone can stop or remove them: start berthd with --runtime crun');
      await d.restart();
      expect((await d.docker.getContainer(id).inspect()).State.Running).toBe(true);
    } finally {
      await d.dockerCli(['rm', '-f', id]);
    }
  });

  it('lets a mount made on the host after the start reach an rslave bind, and one made in the container reach the host through an rshared bind', async () => {
    await checkBindPropagation(d);
  });
});

describe('berthd without --runtime', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
    const loaded = await d.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });
  afterAll(async () => {
    if (d) expect((await d.cleanup()).mounts).toEqual([]);
  });

  // crun as the default waits for `--runtime runc` to be accepted beside it, as dockerd always does (docs/compatibility.md).
  it('runs runc', async () => {
    expect(await dockerOk(d, ['info', '--format', '{{.DefaultRuntime}}'])).toBe('runc\n');
  });

  it('propagates bind mounts as it does under crun', async () => {
    await checkBindPropagation(d);
  });
});

/**
 * Host mounts made after the start reach an rslave bind; a container's mount in an rshared bind reaches the
 * host. Only the root is made shared for that, as moby does: the container's other mounts (its cgroup
 * mounts, /proc…) stay out of any peer group.
 */
async function checkBindPropagation(d: TestDaemon): Promise<void> {
  // The host's / is private here: a shared tmpfs of the test's own is the bind's source.
  const source = join(d.root, 'propagated');
  await mkdir(source);
  try {
    await execFileAsync('mount', ['-t', 'tmpfs', 'tmpfs', source]);
    await execFileAsync('mount', ['--make-shared', source]);
    const id = await runDetached(d, ['--name', 'slave', '-v', `${source}:/y:rslave`, 'busybox', 'sleep', '60']);
    await mkdir(join(source, 'later'));
    await execFileAsync('mount', ['-t', 'tmpfs', 'tmpfs', join(source, 'later')]);
    await writeFile(join(source, 'later', 'file'), 'from the host\n');
    expect(await dockerOk(d, ['exec', id, 'cat', '/y/later/file'])).toBe('from the host\n');
    const sharing = await runDetached(d, ['--privileged', '--name', 'sharing', '-v', `${source}:/y:rshared`, 'busybox', 'sleep', '60']);
    await dockerOk(d, ['exec', sharing, 'sh', '-c', 'mkdir /y/inside && mount -t tmpfs tmpfs /y/inside && echo from the container > /y/inside/file']);
    expect(await readFile(join(source, 'inside', 'file'), 'utf8')).toBe('from the container\n');
    const mountinfo = await dockerOk(d, ['exec', sharing, 'cat', '/proc/self/mountinfo']);
    const sharedElsewhere = mountinfo
      .split('\n')
      .filter((line) => / shared:\d+/.test(line))
      .map((line) => line.split(' ')[4])
      .filter((point) => point !== '/' && point !== '/y' && !point!.startsWith('/y/'));
    expect(sharedElsewhere).toEqual([]);
  } finally {
    await d.dockerCli(['rm', '-f', 'slave', 'sharing']);
    for (const sub of ['later', 'inside']) await execFileAsync('umount', [join(source, sub)]).catch(() => undefined);
    await execFileAsync('umount', [source]).catch(() => undefined);
  }
}

/**
 * Runs berthd on `d`'s roots and socket (d stopped) until it exits, which it returns; one that serves
 * instead is stopped and reported with a null code.
 */
async function startOnRoots(d: TestDaemon, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BERTHD, '--data-root', d.dataRoot, '--exec-root', d.execRoot, '-H', d.host, '--log-level', 'warn', '--bridge=none', ...ACCEPT_UNPATCHED_RUNC, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    while (child.exitCode === null && child.signalCode === null) {
      if (await d.docker.ping().then(() => true, () => false)) return { code: null, stderr };
      await sleep(50);
    }
    return { code: await exited, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}
