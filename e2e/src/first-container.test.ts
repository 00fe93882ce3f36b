import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, type CommandResult, useTestDaemon } from './harness.js';

// Loads busybox itself: what `berth load` prints is part of this first walk through.
const daemon = useTestDaemon({ busybox: false, checkAllLeftovers: true });

beforeAll(async () => {
  const loaded = await daemon.berth(['load', '-i', await busyboxArchive()]);
  expect(loaded.stdout).toContain('Loaded image: busybox:latest');
});

/** `run` through dockerode the way `docker run` does it: create, attach, wait, start. */
async function dockerodeRun(cmd: string[], options: { name?: string; autoRemove?: boolean } = {}): Promise<CommandResult> {
  const container = await daemon.docker.createContainer({ Image: 'busybox', Cmd: cmd, name: options.name, HostConfig: { AutoRemove: options.autoRemove ?? false } });
  const stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  container.modem.demuxStream(stream, stdout, stderr);
  const ended = new Promise((resolve) => stream.on('end', resolve));
  const waited = container.wait({ condition: options.autoRemove ? 'removed' : 'next-exit' });
  await container.start();
  const { StatusCode } = (await waited) as { StatusCode: number };
  await ended;
  return { stdout: out, stderr: err, code: StatusCode };
}

type Runner = (args: string[]) => Promise<CommandResult>;
const clients: Array<[string, () => Runner]> = [
  ['berth', () => (args) => daemon.berth(['run', ...args])],
  ['docker', () => (args) => daemon.dockerCli(['run', ...args])],
  [
    'dockerode',
    () => async (args) => {
      const rest = [...args];
      const options: { name?: string; autoRemove?: boolean } = {};
      while (rest[0]?.startsWith('--')) {
        const flag = rest.shift();
        if (flag === '--rm') options.autoRemove = true;
        if (flag === '--name') options.name = rest.shift();
      }
      const [image, ...cmd] = rest;
      expect(image).toBe('busybox');
      return dockerodeRun(cmd, options);
    },
  ],
];

describe.each(clients)('the first real container through %s', (client, makeRunner) => {
  it('runs echo hello', async () => {
    const result = await makeRunner()(['--rm', 'busybox', 'echo', 'hello']);
    expect(result.stdout).toBe('hello\n');
    expect(result.code).toBe(0);
  });

  it('returns the exit code of the process', async () => {
    const result = await makeRunner()(['--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toContain('err\n');
  });

  it('leaves no container behind with --rm', async () => {
    const before = await daemon.docker.listContainers({ all: true });
    await makeRunner()(['--rm', '--name', `rm-${client}`, 'busybox', 'true']);
    const after = await daemon.docker.listContainers({ all: true });
    expect(after.map((c) => c.Names[0])).not.toContain(`/rm-${client}`);
    expect(after.length).toBe(before.length);
  });

  it('shows the container in ps -a and inspect with image, command and state', async () => {
    const name = `kept-${client}`;
    const result = await makeRunner()(['--name', name, 'busybox', 'sh', '-c', 'exit 7']);
    expect(result.code).toBe(7);
    const ps = await daemon.dockerCli(['ps', '-a', '--format', '{{.Names}}|{{.Image}}|{{.Command}}|{{.Status}}']);
    const row = ps.stdout.split('\n').find((line) => line.startsWith(`${name}|`));
    expect(row).toMatch(new RegExp(`^${name}\\|busybox\\|"sh -c 'exit 7'"\\|Exited \\(7\\) `));
    const inspected = await daemon.docker.getContainer(name).inspect();
    expect(inspected.Config.Image).toBe('busybox');
    expect(inspected.Path).toBe('sh');
    expect(inspected.Args).toEqual(['-c', 'exit 7']);
    expect(inspected.State.Status).toBe('exited');
    expect(inspected.State.ExitCode).toBe(7);
    expect(inspected.Image).toMatch(/^sha256:[0-9a-f]{64}$/);
    const berthPs = await daemon.berth(['ps', '-a']);
    expect(berthPs.stdout).toContain(name);
    const berthInspect = JSON.parse((await daemon.berth(['inspect', name])).stdout) as Array<{ State: { ExitCode: number } }>;
    expect(berthInspect[0]!.State.ExitCode).toBe(7);
    await daemon.docker.getContainer(name).remove();
  });
});

describe('bad input', () => {
  it('answers malformed JSON with a 400 and a message', async () => {
    const res = await fetchSocket('POST', '/v1.47/containers/create', '{"Image": ', 'application/json');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toHaveProperty('message');
  });

  it('answers an unknown image with a 404', async () => {
    const res = await fetchSocket('POST', '/v1.47/containers/create', JSON.stringify({ Image: 'nosuchimage:1.0' }), 'application/json');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).message).toBe('No such image: nosuchimage:1.0');
  });

  it('serves versioned and unversioned paths and rejects unsupported versions', async () => {
    expect((await fetchSocket('GET', '/_ping')).body).toBe('OK');
    expect((await fetchSocket('GET', '/v1.24/version')).status).toBe(200);
    const old = await fetchSocket('GET', '/v1.12/version');
    expect(old.status).toBe(400);
    expect(JSON.parse(old.body).message).toMatch(/too old/);
    expect(JSON.parse((await fetchSocket('GET', '/nope')).body)).toEqual({ message: 'page not found' });
  });

  it('loads images through dockerode and the docker CLI too', async () => {
    const archive = await busyboxArchive();
    await daemon.docker.loadImage(createReadStream(archive));
    const loaded = await daemon.dockerCli(['load', '-i', archive]);
    expect(loaded.stdout).toContain('Loaded image: busybox:latest');
    const images = await daemon.dockerCli(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout.trim().split('\n')).toEqual(['busybox:latest']);
  });
});

async function fetchSocket(method: string, path: string, body?: string, contentType?: string): Promise<{ status: number; body: string }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: daemon.socket, method, path, headers: contentType ? { 'Content-Type': contentType } : {} }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
