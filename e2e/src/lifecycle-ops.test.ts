import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

async function docker(args: string[]): Promise<string> {
  const r = await d.dockerCli(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.code} ${r.stderr}`);
  return r.stdout.trim();
}

const inspect = async (ref: string, format: string) => docker(['inspect', '-f', format, ref]);

describe('stop, restart, pause', () => {
  it('docker stop -t 1 kills a process that ignores SIGTERM: exit code 137', async () => {
    await docker(['run', '-d', '--name', 'ignores-term', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 1; done']);
    await docker(['stop', '-t', '1', 'ignores-term']);
    expect(await inspect('ignores-term', '{{.State.ExitCode}} {{.State.Running}}')).toBe('137 false');
  });

  it('restarts a running container with a new start time', async () => {
    await docker(['run', '-d', '--name', 'restarter', 'busybox', 'sleep', '60']);
    const before = await inspect('restarter', '{{.State.StartedAt}}');
    await docker(['restart', '-t', '0', 'restarter']);
    expect(await inspect('restarter', '{{.State.Running}}')).toBe('true');
    expect(await inspect('restarter', '{{.State.StartedAt}}')).not.toBe(before);
  });

  it('pauses with the freezer, and a paused container can be unpaused, stopped and killed', async () => {
    const id = await docker(['run', '-d', '--name', 'pausable', 'busybox', 'sh', '-c', 'while true; do date +%s%N > /tmp/t; sleep 0.1; done']);
    await docker(['pause', 'pausable']);
    expect(await inspect('pausable', '{{.State.Status}} {{.State.Paused}}')).toBe('paused true');
    expect(await docker(['ps', '--filter', 'status=paused', '--format', '{{.Names}}'])).toContain('pausable');
    const frozen = await d.dockerCli(['exec', 'pausable', 'true']);
    expect(frozen.code).not.toBe(0);
    await docker(['unpause', id.slice(0, 12)]);
    expect(await inspect('pausable', '{{.State.Status}}')).toBe('running');
    expect((await d.dockerCli(['unpause', 'pausable'])).stderr).toContain('is not paused');
    await docker(['pause', 'pausable']);
    await docker(['stop', '-t', '1', 'pausable']);
    expect(await inspect('pausable', '{{.State.Status}} {{.State.Paused}}')).toBe('exited false');
    await docker(['start', 'pausable']);
    await docker(['pause', 'pausable']);
    await docker(['kill', 'pausable']);
    await docker(['wait', 'pausable']);
    expect(await inspect('pausable', '{{.State.ExitCode}}')).toBe('137');
  });
});

describe('remove', () => {
  it('force-removes a paused container', async () => {
    await docker(['run', '-d', '--name', 'paused-then-removed', 'busybox', 'sleep', '60']);
    await docker(['pause', 'paused-then-removed']);
    await docker(['rm', '-f', 'paused-then-removed']);
    expect((await d.dockerCli(['inspect', 'paused-then-removed'])).code).toBe(1);
  });
});

describe('rename', () => {
  it('renames, and refuses a taken name with 409', async () => {
    await docker(['create', '--name', 'old-name', 'busybox', 'true']);
    await docker(['create', '--name', 'taken', 'busybox', 'true']);
    await docker(['rename', 'old-name', 'new-name']);
    expect(await inspect('new-name', '{{.Name}}')).toBe('/new-name');
    expect((await d.dockerCli(['inspect', 'old-name'])).code).not.toBe(0);
    const clash = await d.dockerCli(['rename', 'new-name', 'taken']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('is already in use');
    await expect(d.docker.getContainer('new-name').rename({ name: 'taken' })).rejects.toMatchObject({ statusCode: 409 });
  });
});

describe('update', () => {
  it('changes a running container cgroup limits and its restart policy', async () => {
    const id = await docker(['run', '-d', '--name', 'updatable', '--memory', '32m', 'busybox', 'sleep', '60']);
    await docker(['update', '--memory', '64m', '--pids-limit', '20', '--cpus', '0.5', '--restart', 'on-failure:3', 'updatable']);
    expect(await inspect('updatable', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}')).toBe(`${64 * 1024 * 1024} 20 500000000`);
    expect(await inspect('updatable', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}')).toBe('on-failure:3');
    const cgroupFile = (controller: string, file: string) => docker(['exec', 'updatable', 'cat', `/sys/fs/cgroup/${controller}/${file}`]).catch(() => hostCgroup(controller, id, file));
    expect(await cgroupFile('memory', 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
    expect(await cgroupFile('pids', 'pids.max')).toBe('20');
    expect(await cgroupFile('cpu', 'cpu.cfs_quota_us')).toBe('50000');
  });

  it('refuses an invalid restart policy', async () => {
    const r = await d.dockerCli(['update', '--restart', 'sometimes', 'updatable']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('invalid restart policy');
  });
});

async function hostCgroup(controller: string, id: string, file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (await readFile(`/sys/fs/cgroup/${controller}/berth/${id}/${file}`, 'utf8')).trim();
}

describe('list filters and size', () => {
  it('filters by status, label, name, id, ancestor, exited, before and since', async () => {
    expect((await d.dockerCli(['run', '--name', 'f-one', '--label', 'team=a', 'busybox', 'sh', '-c', 'exit 3'])).code).toBe(3);
    await docker(['run', '-d', '--name', 'f-two', '--label', 'team=b', '--label', 'flag', 'busybox', 'sleep', '60']);
    const three = await docker(['create', '--name', 'f-three', 'busybox', 'true']);
    const names = async (...filters: string[]) =>
      (await docker(['ps', '-a', ...filters.flatMap((f) => ['-f', f]), '--format', '{{.Names}}'])).split('\n').filter((n) => n.startsWith('f-')).sort();
    expect(await names('status=exited', 'name=f-')).toEqual(['f-one']);
    expect(await names('status=created', 'name=f-')).toEqual(['f-three']);
    expect(await names('label=team=b')).toEqual(['f-two']);
    expect(await names('label=team')).toEqual(['f-one', 'f-two']);
    expect(await names('label=flag', 'label=team=b')).toEqual(['f-two']);
    expect(await names('name=^f-t')).toEqual(['f-three', 'f-two']);
    expect(await names(`id=${three.slice(0, 10)}`)).toEqual(['f-three']);
    expect(await names('exited=3')).toEqual(['f-one']);
    expect(await names('ancestor=busybox', 'name=f-')).toEqual(['f-one', 'f-three', 'f-two']);
    expect(await names('before=f-two', 'name=f-')).toEqual(['f-one']);
    expect(await names('since=f-two', 'name=f-')).toEqual(['f-three']);
    const running = (await docker(['ps', '-f', 'status=running', '--format', '{{.Names}}'])).split('\n');
    expect(running).toContain('f-two');
    const bad = await d.dockerCli(['ps', '-f', 'status=sleepy']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("invalid filter 'status=sleepy'");
  });

  it('reports the read-write layer size', async () => {
    await docker(['run', '--name', 'sized', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /big']);
    const rows = await d.docker.listContainers({ all: true, size: true, filters: { name: ['^sized$'] } });
    const row = rows[0] as (typeof rows)[0] & { SizeRw?: number; SizeRootFs?: number };
    expect(row?.SizeRw).toBeGreaterThanOrEqual(100000);
    expect(row?.SizeRootFs).toBeGreaterThan(row!.SizeRw!);
    expect(await docker(['ps', '-a', '-s', '-f', 'name=^sized$', '--format', '{{.Size}}'])).toMatch(/^100kB \(virtual/);
  });
});

describe('top and stats', () => {
  it('lists the container processes with ps arguments', async () => {
    await docker(['run', '-d', '--name', 'topped', 'busybox', 'sh', '-c', 'sleep 61 & sleep 62']);
    // Until the shell has replaced itself with its last command, ps shows `sh` for it.
    const comms = async (): Promise<string[]> => (await d.docker.getContainer('topped').top({ ps_args: '-o pid,comm' })).Processes.map((p: string[]) => p[1]!);
    await expect.poll(comms, { timeout: 10_000 }).toEqual(['sleep', 'sleep']);
    const top = await docker(['top', 'topped']);
    expect(top.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(top).toContain('sleep 61');
    expect(top).toContain('sleep 62');
    expect(top).not.toContain('berthd');
    const custom = await d.docker.getContainer('topped').top({ ps_args: '-o pid,comm' });
    expect(custom.Titles).toEqual(['PID', 'COMMAND']);
    expect(custom.Processes.map((p: string[]) => p[1])).toEqual(['sleep', 'sleep']);
  });

  it('docker stats --no-stream prints a row from the cgroup', async () => {
    await docker(['run', '-d', '--name', 'measured', '--memory', '64m', '--pids-limit', '50', 'busybox', 'sleep', '60']);
    const out = await docker(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}', 'measured']);
    expect(out).toMatch(/^measured \S+ \/ 64MiB 1$/);
    const oneShot = (await d.docker.getContainer('measured').stats({ stream: false, 'one-shot': true } as never)) as unknown as {
      memory_stats: { usage: number; limit: number };
      pids_stats: { current: number; limit: number };
      cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number };
    };
    expect(oneShot.memory_stats.limit).toBe(64 * 1024 * 1024);
    expect(oneShot.pids_stats).toEqual({ current: 1, limit: 50 });
    expect(oneShot.cpu_stats.system_cpu_usage).toBeGreaterThan(0);
    const everyRunning = await docker(['stats', '--no-stream', '--format', '{{.Name}}']);
    expect(everyRunning.split('\n')).toContain('measured');
  });
});

describe('streaming stats', () => {
  it('sends a sample a second, with precpu_stats from the one before', async () => {
    const stream = (await d.docker.getContainer('measured').stats({ stream: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    const samples: Array<{ read: string; precpu_stats: { cpu_usage: { total_usage: number } } }> = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          samples.push(JSON.parse(buffered.slice(0, newline)));
          buffered = buffered.slice(newline + 1);
        }
        if (samples.length >= 2) resolve();
      });
    });
    stream.destroy();
    expect(Date.parse(samples[1]!.read)).toBeGreaterThan(Date.parse(samples[0]!.read));
    expect(samples[1]!.precpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
  });
});

describe('prune', () => {
  it('removes stopped containers matching the label filter and reports them', async () => {
    const keep = await docker(['create', '--label', 'prune=no', 'busybox', 'true']);
    const gone = await docker(['create', '--label', 'prune=yes', 'busybox', 'true']);
    await docker(['start', '-a', keep]);
    await docker(['start', '-a', gone]);
    const result = await d.docker.pruneContainers({ filters: { label: ['prune=yes'] } });
    expect(result.ContainersDeleted).toEqual([gone]);
    expect(await docker(['ps', '-aq', '--no-trunc'])).toContain(keep);
    const cli = await docker(['container', 'prune', '-f', '--filter', 'label=prune=no']);
    expect(cli).toContain(keep);
    expect(cli).toContain('Total reclaimed space');
  });
});

describe('the berth CLI', () => {
  async function berth(args: string[]): Promise<string> {
    const r = await d.berth(args);
    if (r.code !== 0) throw new Error(`berth ${args.join(' ')}: ${r.code} ${r.stderr}`);
    return r.stdout.trim();
  }

  it('create, start, pause, unpause, rename, update, top, stats, restart, stop', async () => {
    const id = await berth(['create', '--name', 'by-berth', 'busybox', 'sleep', '60']);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await berth(['start', 'by-berth'])).toBe('by-berth');
    expect(await berth(['pause', 'by-berth'])).toBe('by-berth');
    expect(await inspect('by-berth', '{{.State.Status}}')).toBe('paused');
    expect(await berth(['ps', '-f', 'status=paused', '-q'])).toBe(id.slice(0, 12));
    expect(await berth(['unpause', id.slice(0, 8)])).toBe(id.slice(0, 8));
    await berth(['rename', 'by-berth', 'renamed-by-berth']);
    expect(await inspect(id, '{{.Name}}')).toBe('/renamed-by-berth');
    await berth(['update', '--memory', '40m', '--pids-limit', '15', '--restart', 'unless-stopped', 'renamed-by-berth']);
    expect(await inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}')).toBe(`${40 * 1024 * 1024} 15 unless-stopped`);
    const top = await berth(['top', 'renamed-by-berth', '-o', 'pid,args']);
    expect(top).toMatch(/^PID\s+COMMAND\n\s*\d+\s+sleep 60$/);
    const stats = (await berth(['stats', '--no-stream', 'renamed-by-berth'])).split('\n');
    expect(stats[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(stats[1]).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+renamed-by-berth\\s+\\d+\\.\\d\\d%\\s+\\S+ / 40MiB\\s+\\d+\\.\\d\\d%\\s+0B / 0B\\s+\\S+ / \\S+\\s+1$`));
    const started = await inspect(id, '{{.State.StartedAt}}');
    await berth(['restart', '-t', '0', 'renamed-by-berth']);
    expect(await inspect(id, '{{.State.StartedAt}}')).not.toBe(started);
    await berth(['stop', '-t', '0', 'renamed-by-berth']);
    expect(await berth(['ps', '-a', '-f', 'name=renamed-by-berth', '-f', 'status=exited', '-q'])).toBe(id.slice(0, 12));
  });

  it('container prune -f', async () => {
    const id = await berth(['create', '--name', 'berth-prunable', 'busybox', 'true']);
    const out = await berth(['container', 'prune', '-f']);
    expect(out).toContain(id);
    expect(out).toMatch(/Total reclaimed space: \S+$/);
  });
});
