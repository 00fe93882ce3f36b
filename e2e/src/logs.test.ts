import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const daemon = useTestDaemon();

/** Runs a container to completion, detached, and returns its name. */
async function ranToCompletion(name: string, script: string): Promise<string> {
  const created = await daemon.dockerCli(['run', '-d', '--name', name, 'busybox', 'sh', '-c', script]);
  expect(created.code).toBe(0);
  expect((await daemon.dockerCli(['wait', name])).stdout.trim()).toBe('0');
  return name;
}

/** `docker logs` with its stdout hashed as it streams (50 MB does not belong in a string). */
function hashedLogs(args: string[]): Promise<{ sha256: string; bytes: number; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['logs', ...args], { env: { ...process.env, DOCKER_HOST: daemon.host } });
    const hash = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ sha256: hash.digest('hex'), bytes, stderr, code: code ?? -1 }));
  });
}

describe('docker logs', () => {
  it('returns 50 MB of output byte-exact', async () => {
    await ranToCompletion('big', 'head -c 37500000 /dev/urandom | base64 > /tmp/out; cat /tmp/out; sha256sum /tmp/out >&2');
    const logs = await hashedLogs(['big']);
    expect(logs.code).toBe(0);
    expect(logs.bytes).toBeGreaterThan(50_000_000);
    expect(logs.stderr.split(' ')[0]).toBe(logs.sha256);
  }, 180_000);

  it('keeps stdout and stderr apart and partial lines intact', async () => {
    await ranToCompletion('streams', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; printf tail');
    const logs = await daemon.dockerCli(['logs', 'streams']);
    expect(logs.stdout).toBe('out1\nout2\nout3\ntail');
    expect(logs.stderr).toBe('err1\nerr2\nerr3\n');
  });

  it('honours --tail, --since, --until and --timestamps', async () => {
    await ranToCompletion('counted', 'seq 1 10');
    expect((await daemon.dockerCli(['logs', '--tail', '5', 'counted'])).stdout).toBe('6\n7\n8\n9\n10\n');
    expect((await daemon.dockerCli(['logs', '--tail', '0', 'counted'])).stdout).toBe('');
    expect((await daemon.dockerCli(['logs', '--since', '2099-01-01T00:00:00Z', 'counted'])).stdout).toBe('');
    expect((await daemon.dockerCli(['logs', '--until', '2000-01-01T00:00:00Z', 'counted'])).stdout).toBe('');
    expect((await daemon.dockerCli(['logs', '--since', '2000-01-01T00:00:00Z', 'counted'])).stdout).toBe('1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n');
    const stamped = (await daemon.dockerCli(['logs', '-t', '--tail', '2', 'counted'])).stdout.split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z 9$/);
    expect(stamped[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z 10$/);
  });

  it('serves a TTY container raw', async () => {
    await ranToCompletion('withtty', 'echo hi');
    expect((await daemon.dockerCli(['logs', 'withtty'])).stdout).toBe('hi\n');
    expect((await daemon.dockerCli(['run', '-t', '--name', 'terminal', 'busybox', 'echo', 'hi'])).code).toBe(0);
    expect(await daemon.dockerCli(['logs', 'terminal'])).toEqual({ stdout: 'hi\r\n', stderr: '', code: 0 });
  });

  it('follows until the container exits', async () => {
    const started = await daemon.dockerCli(['run', '-d', '--name', 'followed', 'busybox', 'sh', '-c', 'echo a; sleep 1; echo b']);
    expect(started.code).toBe(0);
    const followed = await daemon.dockerCli(['logs', '-f', 'followed']);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toBe('a\nb\n');
  });

  it('berth logs prints the same as docker logs', async () => {
    expect(await daemon.berth(['logs', 'streams'])).toEqual({ stdout: 'out1\nout2\nout3\ntail', stderr: 'err1\nerr2\nerr3\n', code: 0 });
    expect((await daemon.berth(['logs', '--tail', '2', 'counted'])).stdout).toBe('9\n10\n');
    expect((await daemon.berth(['logs', '--since', '2099-01-01T00:00:00Z', 'counted'])).stdout).toBe('');
    expect((await daemon.berth(['logs', '--until', '1h', 'counted'])).stdout).toBe('');
    expect((await daemon.berth(['logs', '-t', '--tail', '1', 'counted'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z 10\n$/);
    expect((await daemon.berth(['logs', '-f', 'followed'])).stdout).toBe('a\nb\n');
  });

  it('serves dockerode with multiplexed frames and rejects a request for no stream', async () => {
    const container = daemon.docker.getContainer('streams');
    const buffer = (await container.logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
    expect(buffer[0]).toBe(1);
    expect(buffer.subarray(8, 13).toString()).toBe('out1\n');
    await expect(container.logs({ stdout: false, stderr: false, follow: false })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('log rotation', () => {
  it('keeps max-file files of max-size and serves them in order', async () => {
    const script = 'i=0; while [ $i -lt 100 ]; do printf "line-%03d %0990d\\n" $i 0; i=$((i+1)); usleep 20000; done';
    const ran = await daemon.dockerCli(['run', '--name', 'rotated', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', script]);
    expect(ran.code).toBe(0);
    const numbers = (await daemon.dockerCli(['logs', 'rotated'])).stdout
      .trim()
      .split('\n')
      .map((line) => Number(line.slice(5, 8)));
    expect(numbers.at(-1)).toBe(99);
    expect(numbers[0]).toBeGreaterThan(50);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    const tail = (await daemon.dockerCli(['logs', '--tail', '15', 'rotated'])).stdout.trim().split('\n');
    expect(tail.map((line) => Number(line.slice(5, 8)))).toEqual(Array.from({ length: 15 }, (_, i) => 85 + i));
  });
});
