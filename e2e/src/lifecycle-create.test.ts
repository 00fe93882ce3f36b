import { describe, expect, it } from 'vitest';
import { type CommandResult, useTestDaemon } from './harness.js';

const d = useTestDaemon();

/** `docker run --rm [flags] busybox sh -c script`, its stdout trimmed; fails on a non-zero exit. */
async function inside(flags: string[], script: string): Promise<string> {
  const r = await d.dockerCli(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const capEff = (status: string) => BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)![1]}`);
const CAP_NET_ADMIN = 12n;

describe('create fields take effect inside the container', () => {
  it('User: uid, uid:gid and names from the image /etc/passwd', async () => {
    expect(await inside(['-u', '1000'], 'id -u')).toBe('1000');
    expect(await inside(['-u', '1000:1001'], 'echo $(id -u):$(id -g)')).toBe('1000:1001');
    expect(await inside(['-u', 'www-data'], 'id -u')).toBe('33');
    expect(await inside(['-u', 'nobody'], 'id -un')).toBe('nobody');
  });

  it('Env, Cmd, Entrypoint and WorkingDir', async () => {
    expect(await inside(['-e', 'GREETING=hi there', '-w', '/tmp'], 'echo "$GREETING" $(pwd)')).toBe('hi there /tmp');
    const r = await d.dockerCli(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'from', 'entrypoint']);
    expect(r.stdout.trim()).toBe('from entrypoint');
  });

  it('Hostname and Domainname', async () => {
    expect(await inside(['--hostname', 'boat', '--domainname', 'harbour.test'], 'hostname; cat /proc/sys/kernel/domainname')).toBe('boat\nharbour.test');
  });

  it('Labels appear in inspect', async () => {
    await d.dockerCli(['create', '--name', 'labelled', '--label', 'owner=berth', 'busybox', 'true']);
    const info = await d.docker.getContainer('labelled').inspect();
    expect(info.Config.Labels).toMatchObject({ owner: 'berth' });
  });

  it('CapDrop ALL, CapAdd, Privileged', async () => {
    expect(capEff(await inside(['--cap-drop', 'ALL'], 'cat /proc/self/status'))).toBe(0n);
    const added = capEff(await inside(['--cap-add', 'NET_ADMIN'], 'cat /proc/self/status'));
    expect((added >> CAP_NET_ADMIN) & 1n).toBe(1n);
    const plain = capEff(await inside([], 'cat /proc/self/status'));
    expect((plain >> CAP_NET_ADMIN) & 1n).toBe(0n);
    expect(await inside(['--privileged'], 'mkdir -p /m && mount -t tmpfs none /m && echo mounted')).toBe('mounted');
    expect((await d.dockerCli(['run', '--rm', 'busybox', 'sh', '-c', 'mkdir -p /m && mount -t tmpfs none /m'])).code).not.toBe(0);
  });

  it('SecurityOpt no-new-privileges and seccomp=unconfined', async () => {
    expect(await inside(['--security-opt', 'no-new-privileges'], 'grep NoNewPrivs /proc/self/status')).toMatch(/NoNewPrivs:\s+1/);
    expect(await inside([], 'grep NoNewPrivs /proc/self/status')).toMatch(/NoNewPrivs:\s+0/);
    expect(await inside([], 'grep "^Seccomp:" /proc/self/status')).toMatch(/Seccomp:\s+2/);
    expect(await inside(['--security-opt', 'seccomp=unconfined'], 'grep "^Seccomp:" /proc/self/status')).toMatch(/Seccomp:\s+0/);
  });

  it('ReadonlyRootfs: a write to / fails', async () => {
    const r = await d.dockerCli(['run', '--rm', '--read-only', 'busybox', 'sh', '-c', 'touch /written']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Read-only file system');
  });

  it('Tmpfs, ShmSize', async () => {
    expect(await inside(['--tmpfs', '/scratch:size=8m'], 'grep " /scratch " /proc/mounts')).toMatch(/^tmpfs \/scratch tmpfs .*size=8192k/);
    expect(await inside(['--shm-size', '16m'], "df -k /dev/shm | tail -1 | awk '{print $2}'")).toBe('16384');
  });

  it('Ulimits', async () => {
    expect(await inside(['--ulimit', 'nofile=1024:2048'], 'ulimit -n; ulimit -Hn')).toBe('1024\n2048');
  });

  it('ExtraHosts and Sysctls', async () => {
    expect(await inside(['--add-host', 'dock.test:10.1.2.3'], 'grep dock.test /etc/hosts')).toMatch(/^10\.1\.2\.3\s+dock\.test$/);
    expect(await inside(['--sysctl', 'net.ipv4.ip_forward=1'], 'cat /proc/sys/net/ipv4/ip_forward')).toBe('1');
  });

  it('Init: tini is pid 1', async () => {
    expect(await inside(['--init'], 'tr "\\0" " " < /proc/1/cmdline')).toMatch(/^\/sbin\/docker-init -- sh -c|tini/);
  });

  it('Tty and OpenStdin', async () => {
    expect(await inside(['-t'], 'test -t 1 && echo tty')).toBe('tty');
    const piped = await d.dockerCli(['run', '--rm', '-i', 'busybox', 'cat'], 'through stdin\n');
    expect(piped.stdout).toBe('through stdin\n');
  });

  it('Memory, MemorySwap, NanoCpus, CpuShares, PidsLimit reach the cgroup', async () => {
    const flags = ['--memory', '48m', '--memory-swap', '96m', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '30'];
    const id = (await d.dockerCli(['run', '-d', ...flags, 'busybox', 'sleep', '60'])).stdout.trim();
    const { readFile } = await import('node:fs/promises');
    const read = async (controller: string, file: string) => (await readFile(`/sys/fs/cgroup/${controller}/berth/${id}/${file}`, 'utf8')).trim();
    expect(await read('memory', 'memory.limit_in_bytes')).toBe(String(48 * 1024 * 1024));
    expect(await read('memory', 'memory.memsw.limit_in_bytes')).toBe(String(96 * 1024 * 1024));
    expect(await read('cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(await read('cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(await read('cpu', 'cpu.shares')).toBe('512');
    expect(await read('pids', 'pids.max')).toBe('30');
    const info = await d.docker.getContainer(id).inspect();
    expect(info.HostConfig).toMatchObject({ Memory: 48 * 1024 * 1024, NanoCpus: 500_000_000, CpuShares: 512, PidsLimit: 30 });
  });
});

describe('stop signal and timeout', () => {
  it('StopSignal is what docker stop sends', async () => {
    await d.dockerCli(['run', '-d', '--name', 'usr1', '--stop-signal', 'USR1', 'busybox', 'sh', '-c', 'trap "exit 42" USR1; echo trapped; while true; do sleep 0.1; done']);
    // As PID 1 the shell ignores USR1 until its trap is set: stop only once it is.
    await expect.poll(async () => (await d.dockerCli(['logs', 'usr1'])).stdout, { timeout: 10_000 }).toContain('trapped');
    await d.dockerCli(['stop', 'usr1']);
    expect((await d.docker.getContainer('usr1').inspect()).State.ExitCode).toBe(42);
  });

  it('StopTimeout bounds the wait before SIGKILL', async () => {
    await d.dockerCli(['run', '-d', '--name', 'stubborn', '--stop-timeout', '1', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
    expect((await d.dockerCli(['stop', 'stubborn'])).code).toBe(0);
    expect((await d.docker.getContainer('stubborn').inspect()).State.ExitCode).toBe(137);
  });
});

describe('resource limits hold', () => {
  it('a process allocating past --memory 32m is OOM-killed and OOMKilled is true', async () => {
    const r = await d.dockerCli(['run', '--name', 'hog', '--memory', '32m', 'busybox', 'sh', '-c', 'head -c 67108864 /dev/zero | tail']);
    expect(r.code).toBe(137);
    const state = (await d.docker.getContainer('hog').inspect()).State;
    expect(state.OOMKilled).toBe(true);
    expect(state.ExitCode).toBe(137);
  });

  it('--pids-limit 10: forking beyond it fails', async () => {
    const r = await d.dockerCli(['run', '--rm', '--pids-limit', '10', 'busybox', 'sh', '-c', 'for i in $(seq 1 20); do sleep 30 & done; echo started; jobs -p | wc -l']);
    expect(r.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
  });
});

describe('bad input gets a clear 4xx and the daemon keeps serving', () => {
  const fails = async (args: string[]): Promise<CommandResult> => {
    const r = await d.dockerCli(args);
    // `docker create` exits 1 on a daemon error (`docker run` would exit 125).
    expect(r.code).toBe(1);
    return r;
  };

  it('unknown capability', async () => {
    expect((await fails(['create', '--cap-add', 'FLY', 'busybox', 'true'])).stderr).toContain('unknown capability: "CAP_FLY"');
  });

  it('negative and too small memory, swap below memory', async () => {
    await expect(d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { Memory: -1 } })).rejects.toMatchObject({
      statusCode: 400,
      json: { message: 'Minimum memory limit allowed is 6MB' },
    });
    expect((await fails(['create', '--memory', '1m', 'busybox', 'true'])).stderr).toContain('Minimum memory limit allowed is 6MB');
    expect((await fails(['create', '--memory', '64m', '--memory-swap', '32m', 'busybox', 'true'])).stderr).toContain(
      'Minimum memoryswap limit should be larger than memory limit',
    );
  });

  it('invalid restart policy', async () => {
    expect((await fails(['create', '--restart', 'sometimes', 'busybox', 'true'])).stderr).toContain("invalid restart policy: unknown policy 'sometimes'");
    await expect(
      d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('bad ulimits and sysctls', async () => {
    await expect(
      d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] } }),
    ).rejects.toMatchObject({ statusCode: 400, json: { message: 'invalid ulimit type: bogus' } });
    await expect(
      d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 2048, Hard: 1024 }] } }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const sysctl = await d.dockerCli(['create', '--sysctl', 'vm.swappiness=10', 'busybox', 'true']);
    expect(sysctl.code).not.toBe(0);
    expect(sysctl.stderr).toContain("sysctl 'vm.swappiness=10' is not allowed");
  });

  it('duplicate names are 409, invalid names 400', async () => {
    await d.dockerCli(['create', '--name', 'twin', 'busybox', 'true']);
    expect((await fails(['create', '--name', 'twin', 'busybox', 'true'])).stderr).toContain('is already in use');
    await expect(d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], name: 'twin' })).rejects.toMatchObject({ statusCode: 409 });
    await expect(d.docker.createContainer({ Image: 'busybox', Cmd: ['true'], name: 'bad name!' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('stop of a missing container is 404, and the daemon still answers', async () => {
    const r = await d.dockerCli(['stop', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such container: nope');
    expect((await d.dockerCli(['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
  });
});

describe('name and id prefix lookup', () => {
  it('works for start, top, pause, rename, update, stats, stop, rm', async () => {
    const id = (await d.dockerCli(['create', '--name', 'lookup', 'busybox', 'sleep', '60'])).stdout.trim();
    const prefix = id.slice(0, 7);
    for (const args of [['start', prefix], ['top', prefix], ['pause', 'lookup'], ['unpause', prefix], ['update', '--pids-limit', '40', prefix], ['rename', prefix, 'looked-up'], ['stop', '-t', '0', 'looked-up'], ['rm', prefix]]) {
      const r = await d.dockerCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });
});
