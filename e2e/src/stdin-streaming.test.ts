import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, useTestDaemon } from './harness.js';
import { webSocketClient } from './websocket-client.js';

const daemon = useTestDaemon();

const MB = 1024 * 1024;
let dir: string;
/** Random bytes: every byte value, the detach keys (ctrl-p ctrl-q) among them many times over. */
let large: string;
let medium: string;
let webSocketInput: string;
/** Random bytes without ctrl-p, so a TTY's detach sequence never shows up. */
let noDetach: string;
/** Base64 text in 76-character lines: what a terminal in canonical mode passes on unchanged. */
let text: string;

async function writeFileOf(name: string, size: number, shape: (chunk: Buffer) => Buffer | string = (chunk) => chunk): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MB) {
    if (!out.write(shape(randomBytes(Math.min(MB, size - written))))) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return path;
}

/** What the host's sha256sum prints for a file read on stdin. */
async function hostSha256(path: string): Promise<string> {
  const result = await run('sha256sum', [], { input: createReadStream(path) });
  expect(result.code).toBe(0);
  return result.stdout;
}

/** The daemon's connections whose client has gone: a hijacked stream it never let go of. */
async function orphanedConnections(): Promise<string[]> {
  const { stdout } = await run('ss', ['-xp']);
  return stdout.split('\n').filter((line) => line.includes(daemon.socket) && line.includes(`pid=${daemon.process.pid},`) && /\s\*\s+0\s/.test(line));
}

/**
 * Runs `command` in a terminal (script's pseudo-terminal); once its output shows `ready`, the file is typed
 * into the terminal, followed by `after`. Resolves with the exit code and everything the terminal showed.
 */
function typeInTerminal(command: string, ready: RegExp, file: string, after = ''): Promise<{ code: number; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...daemon.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let typing = false;
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('latin1');
      if (typing || !ready.test(screen)) return;
      typing = true;
      const input = createReadStream(file);
      input.pipe(child.stdin, { end: false });
      input.once('end', () => child.stdin.write(after));
    });
    child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString('latin1')));
    child.once('error', reject);
    child.once('close', (code) => {
      child.stdin.destroy();
      resolve({ code: code ?? -1, screen });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-stdin-'));
  large = await writeFileOf('large', 200 * MB);
  medium = await writeFileOf('medium', 48 * MB);
  webSocketInput = await writeFileOf('websocket', 16 * MB);
  noDetach = await writeFileOf('no-detach', 16 * MB, (chunk) => Buffer.from(chunk.map((byte) => (byte === 0x10 ? 0x20 : byte))));
  text = await writeFileOf('text', 12 * MB, (chunk) => `${chunk.toString('base64').replace(/.{76}/g, '$&\n')}\n`);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('stdin through docker run -i, exec -i and attach', () => {
  it('docker run -i: 200 MB of random bytes reach the process whole, then EOF', async () => {
    const result = await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'sha256sum'], createReadStream(large));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await hostSha256(large));
  });

  it('docker exec -i: random bytes reach the process whole, then EOF', async () => {
    expect((await daemon.dockerCli(['run', '-d', '--name', 'exec-host', 'busybox', 'sleep', '600'])).code).toBe(0);
    const result = await daemon.dockerCli(['exec', '-i', 'exec-host', 'sha256sum'], createReadStream(medium));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await hostSha256(medium));
  });

  it('docker attach to a container started with -i: random bytes reach it whole, and EOF ends it', async () => {
    expect((await daemon.dockerCli(['create', '-i', '--name', 'attached', 'busybox', 'sha256sum'])).code).toBe(0);
    expect((await daemon.dockerCli(['start', 'attached'])).code).toBe(0);
    const result = await daemon.dockerCli(['attach', 'attached'], createReadStream(medium));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await hostSha256(medium));
    expect((await daemon.docker.getContainer('attached').inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
  });

  it('berth run -i and berth exec -i: random bytes reach the process whole, then EOF', async () => {
    const expected = await hostSha256(medium);
    const ran = await daemon.berth(['run', '-i', '--rm', 'busybox', 'sha256sum'], createReadStream(medium));
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe(expected);
    expect(ran.code).toBe(0);
    expect((await daemon.berth(['run', '-d', '--name', 'berth-exec-host', 'busybox', 'sleep', '600'])).code).toBe(0);
    const executed = await daemon.berth(['exec', '-i', 'berth-exec-host', 'sha256sum'], createReadStream(medium));
    expect(executed.stderr).toBe('');
    expect(executed.stdout).toBe(expected);
    expect(executed.code).toBe(0);
  });

  it('the WebSocket attach: random bytes in large frames reach the process whole', async () => {
    const data = await readFile(webSocketInput);
    expect((await daemon.dockerCli(['run', '-di', '--name', 'ws-stdin', 'busybox', 'sh', '-c', `head -c ${data.length} | sha256sum`])).code).toBe(0);
    const ws = await webSocketClient(daemon.socket, '/v1.47/containers/ws-stdin/attach/ws?stream=1&stdin=1&stdout=1&stderr=1');
    for (let offset = 0; offset < data.length; offset += 3 * MB) await ws.send(data.subarray(offset, offset + 3 * MB));
    await ws.closed;
    expect(ws.received()).toBe(await hostSha256(webSocketInput));
  });

  it('a process that stops reading early, or input that ends at once: output whole, no hang, nothing left open', async () => {
    const headRun = await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'head', '-c', '5'], createReadStream(text));
    expect(headRun).toMatchObject({ code: 0, stderr: '' });
    expect(headRun.stdout).toHaveLength(5);
    const closed = await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'exec 0<&-; echo stdin closed'], createReadStream(medium));
    expect(closed).toMatchObject({ code: 0, stdout: 'stdin closed\n' });
    const exited = await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'true'], createReadStream(medium));
    expect(exited).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await daemon.dockerCli(['run', '-d', '--name', 'early-exec-host', 'busybox', 'sleep', '600'])).code).toBe(0);
    const headExec = await daemon.dockerCli(['exec', '-i', 'early-exec-host', 'head', '-c', '5'], createReadStream(text));
    expect(headExec).toMatchObject({ code: 0, stderr: '' });
    expect(headExec.stdout).toHaveLength(5);
    // Input that is over before the container starts still reaches it as EOF.
    expect(await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'wc', '-c'], '')).toMatchObject({ code: 0, stdout: '0\n' });

    let orphaned = await orphanedConnections();
    for (let i = 0; i < 100 && orphaned.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      orphaned = await orphanedConnections();
    }
    expect(orphaned).toEqual([]);
    expect((await daemon.dockerCli(['run', '-i', '--rm', 'busybox', 'cat'], 'still serving\n')).stdout).toBe('still serving\n');
  });
});

describe('stdin through a TTY (docker run -it)', () => {
  it('text typed in canonical mode arrives unchanged and ctrl-D ends it', async () => {
    const expected = (await hostSha256(text)).trim();
    const { code, screen } = await typeInTerminal("docker run -it --rm busybox sh -c 'stty -echo; echo READY; sha256sum'", /READY/, text, '\x04');
    expect(code).toBe(0);
    expect(screen).toContain(expected);
  });

  it('random bytes typed in raw mode arrive byte for byte', async () => {
    const expected = (await hostSha256(noDetach)).trim();
    const size = 16 * MB;
    const command = `docker run -it --rm busybox sh -c 'stty raw -echo; echo READY; head -c ${size} | sha256sum'`;
    const { code, screen } = await typeInTerminal(command, /READY/, noDetach);
    expect(code).toBe(0);
    expect(screen).toContain(expected);
  });
});

describe('ConsoleSize: the terminal has its size from the start', () => {
  it('HostConfig.ConsoleSize on create', async () => {
    const container = await daemon.docker.createContainer({ Image: 'busybox', Cmd: ['stty', 'size'], Tty: true, HostConfig: { ConsoleSize: [33, 111] } });
    await container.start();
    await container.wait();
    expect((await container.logs({ stdout: true })).toString()).toBe('33 111\r\n');
    await container.remove();
  });

  it('ConsoleSize on exec create, overridden by the one on exec start', async () => {
    expect((await daemon.dockerCli(['run', '-d', '--name', 'size-host', 'busybox', 'sleep', '600'])).code).toBe(0);
    const sizeOf = async (create?: [number, number], start?: [number, number]): Promise<string> => {
      const exec = await daemon.docker.getContainer('size-host').exec({ Cmd: ['stty', 'size'], Tty: true, AttachStdout: true, ConsoleSize: create });
      // dockerode's types lack the start body's ConsoleSize; it sends the options as the body all the same.
      const options: Docker.ExecStartOptions & { ConsoleSize?: [number, number] } = { hijack: true, Tty: true, ConsoleSize: start };
      const stream = await exec.start(options);
      let out = '';
      stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await finished(stream).catch(() => undefined);
      return out;
    };
    expect(await sizeOf([20, 70])).toBe('20 70\r\n');
    expect(await sizeOf([20, 70], [44, 99])).toBe('44 99\r\n');
  });

  it("docker exec -it and docker run -it start at the client's terminal size", async () => {
    expect((await daemon.dockerCli(['run', '-d', '--name', 'cli-size-host', 'busybox', 'sleep', '600'])).code).toBe(0);
    const inTerminal = (command: string) => run('script', ['-qec', `stty rows 37 cols 121; ${command}`, '/dev/null'], { env: daemon.env });
    // script echoes its input's end (as ^@ or ^D) before or after the output, as the two race.
    const size = async (command: string) => (await inTerminal(command)).stdout.replace(/\^[@D]/g, '');
    expect(await size('docker exec -it cli-size-host stty size')).toMatch(/\b37 121\r\n$/);
    expect(await size('docker run -it --rm busybox stty size')).toMatch(/\b37 121\r\n$/);
  });
});
