import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_HEAD_BYTES } from '@berth/api';
import { FLOOD_LINE, berthdMemory, run, useTestDaemon, waitFor } from './harness.js';
import { rawExchange as exchangeRaw } from './raw-exchange.js';

// Issue 11, items 4, 5, 6 and 10: clients that send garbage, vanish, stop reading or stall must never end
// berthd, and what their requests held must be let go. Every test ends by checking the daemon still serves.

const daemon = useTestDaemon();

/** Sends raw bytes and collects the whole answer: until the server closes the connection, or the body its head announces has come. */
async function rawExchange(request: string | Buffer): Promise<{ status: number; head: string; body: string }> {
  const { status, head, body } = await exchangeRaw(daemon.socket, request, { deadlineMs: 60_000, wholeBody: true });
  return { status, head, body };
}

/** A request whose answer is left unread: connected, head sent, first bytes of the answer seen. */
async function openStream(head: string, body?: Buffer): Promise<Socket> {
  const socket = connect(daemon.socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(head);
  if (body) socket.write(body);
  await once(socket, 'data');
  socket.pause();
  return socket;
}

async function expectDaemonServes(): Promise<void> {
  expect(daemon.process.exitCode, 'berthd exited').toBeNull();
  const ping = await rawExchange('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
  expect(ping.status).toBe(200);
  expect(ping.body).toBe('OK');
}

/** berthd's highest RSS sampled every half second for five seconds. */
async function peakRssOverFiveSeconds(): Promise<number> {
  let peak = 0;
  for (let i = 0; i < 10; i++) {
    await sleep(500);
    peak = Math.max(peak, (await berthdMemory(daemon)).rss);
  }
  return peak;
}

/** Files under `dir` that berthd holds open. */
async function openFilesOfBerthd(dir: string): Promise<string[]> {
  const fdDir = `/proc/${daemon.process.pid}/fd`;
  const targets = await Promise.all((await readdir(fdDir)).map((fd) => readlink(join(fdDir, fd)).catch(() => '')));
  return targets.filter((t) => t.startsWith(dir));
}

async function createContainer(name: string, cmd: string[]): Promise<string> {
  const container = await daemon.docker.createContainer({
    name,
    Image: 'busybox',
    Cmd: cmd,
    // Chatty containers must not fill the disk with their log.
    HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } } },
  });
  return container.id;
}

async function runChatty(name: string): Promise<string> {
  const id = await createContainer(name, ['sh', '-c', `while :; do echo ${FLOOD_LINE}; done`]);
  await daemon.docker.getContainer(id).start();
  return id;
}

/** Answers the WebSocket handshake and returns the socket, positioned after the 101 head. */
async function openWebSocket(path: string): Promise<Socket> {
  const socket = connect(daemon.socket);
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
  const [first] = (await once(socket, 'data')) as [Buffer];
  expect(first.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
  return socket;
}

function maskedBinaryFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const header = Buffer.alloc(10);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

describe('item 4: hostile upgrade requests get an HTTP error, never a crash', () => {
  const upgrade = (method: string, path: string, extra = ''): string => `${method} ${path} HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n${extra}\r\n`;

  it.each([
    ['bad percent-encoding in an exec id', upgrade('POST', '/exec/%ZZ/start'), 400],
    ['bad percent-encoding in a container id', upgrade('POST', '/v1.47/containers/%E0%A4%A/attach?stream=1'), 400],
    ['a path of two slashes', upgrade('POST', '//'), 404],
    ['a path that is a full URL', upgrade('POST', 'http://[::1/exec/x/start'), 400],
    ['an API version too old', upgrade('POST', '/v1.12/exec/x/start'), 400],
    ['an API version too new', upgrade('POST', '/v9.99/containers/x/attach'), 400],
    ['an unknown exec', upgrade('POST', '/exec/nope/start'), 404],
    ['an unknown container over a WebSocket', upgrade('GET', '/containers/nope/attach/ws'), 404],
    ['an unknown path', upgrade('PUT', '/containers/x/attach'), 404],
    ['an options body that is not JSON', upgrade('POST', '/exec/x/start', 'Content-Length: 3\r\n') + '{{{', 400],
  ])('%s', async (_what, request, status) => {
    const answer = await rawExchange(request);
    expect(answer.status).toBe(status);
    expect(answer.head).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.body)).toHaveProperty('message');
    await expectDaemonServes();
  });

  it('survives headers too large and requests that are not HTTP', async () => {
    expect((await rawExchange(upgrade('POST', '/exec/x/start', `X-Big: ${'a'.repeat(MAX_REQUEST_HEAD_BYTES)}\r\n`))).status).toBe(431);
    expect((await rawExchange('\x16\x03\x01 not http at all\r\n\r\n')).status).toBe(400);
    await expectDaemonServes();
  });
});

describe('item 5: a WebSocket attach client that vanishes mid-stream', () => {
  it('leaves the daemon serving, however it goes', async () => {
    await runChatty('ws-chatty');
    for (let i = 0; i < 5; i++) {
      const socket = await openWebSocket('/containers/ws-chatty/attach/ws?stream=1&stdout=1&stderr=1');
      await once(socket, 'data');
      // Gone while output is flowing: the daemon's next writes fail (EPIPE).
      socket.destroy();
    }
    await sleep(500);
    await expectDaemonServes();
    await daemon.docker.getContainer('ws-chatty').remove({ force: true });
  });
});

describe('item 6: a client that stops reading, then leaves', () => {
  it('`docker save busybox | head -c0` ends the save, releasing the layer files', async () => {
    for (let i = 0; i < 3; i++) {
      await run('bash', ['-c', 'docker save busybox | head -c0'], { env: { DOCKER_HOST: daemon.host } });
    }
    await run('bash', ['-c', 'docker save busybox | head -c 1000 >/dev/null'], { env: { DOCKER_HOST: daemon.host } });
    await waitFor(async () => (await openFilesOfBerthd(join(daemon.dataRoot, 'layers'))).length === 0, 'no layer file is open');
    await expectDaemonServes();
    // The image is still whole.
    const saved = await run('bash', ['-c', 'docker save busybox | tar -t | grep -c blobs/'], { env: { DOCKER_HOST: daemon.host } });
    expect(Number(saved.stdout.trim())).toBeGreaterThan(0);
  });

  it.each([
    ['export', (id: string) => `/containers/${id}/export`],
    ['cp (GET archive)', (id: string) => `/containers/${id}/archive?path=/bin`],
  ])('%s of a stopped container unmounts its root once the client leaves', async (what, path) => {
    const id = await createContainer(`stopped-${what.split(' ')[0]}`, ['true']);
    const merged = join(daemon.dataRoot, 'containers', id, 'merged');
    const rootOf = async (): Promise<string | undefined> => {
      const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
      return lines.map((l) => l.split(' ')[4] ?? '').find((m) => m.startsWith(join(daemon.dataRoot, 'containers', id)));
    };
    const socket = await openStream(`GET ${path(id)} HTTP/1.1\r\nHost: docker\r\n\r\n`);
    // Mounted while the client holds the stream (it read a little and stopped).
    expect(await rootOf()).toBeDefined();
    await sleep(300);
    socket.destroy();
    await waitFor(async () => (await rootOf()) === undefined, `the root of ${id} (${merged}) is unmounted`);
    await expectDaemonServes();
  });

  it('logs -f, attach and exec output: the client stops reading, then leaves', async () => {
    const id = await runChatty('leaver');
    const exec = await daemon.docker.getContainer(id).exec({ Cmd: ['yes'], AttachStdout: true, AttachStderr: true });
    const streams = [
      await openStream(`GET /containers/${id}/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\n\r\n`),
      await openStream(`POST /containers/${id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n`),
      await openStream(`POST /exec/${exec.id}/start HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n`, Buffer.from('{}')),
      await openStream(`GET /containers/${id}/stats HTTP/1.1\r\nHost: docker\r\n\r\n`),
    ];
    await sleep(500);
    for (const socket of streams) socket.destroy();
    await sleep(500);
    await expectDaemonServes();
    await daemon.docker.getContainer(id).remove({ force: true });
  });

  it('events: a subscriber that never reads is disconnected instead of buffered for without end', async () => {
    const subscriber = await openStream('GET /events HTTP/1.1\r\nHost: docker\r\n\r\n');
    // Every container event carries the labels: 256 KiB of them makes each event large.
    const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'], Labels: { big: 'x'.repeat(256 * 1024) } });
    for (let i = 0; i < 20; i++) {
      const created = await rawExchange(
        `POST /containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(created.status).toBe(201);
      await daemon.docker.getContainer((JSON.parse(created.body) as { Id: string }).Id).remove();
    }
    subscriber.resume();
    const ended = new Promise<void>((resolve) => subscriber.once('close', () => resolve()));
    subscriber.on('data', () => undefined);
    await ended;
    await expectDaemonServes();
  });
});

describe('item 10: bounded resources', () => {
  it('refuses an upgrade options body over 16 MiB before reading it', async () => {
    const answer = await rawExchange(
      `POST /exec/x/start HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nContent-Length: ${17 * 1024 * 1024}\r\n\r\n{`,
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).message).toMatch(/too large/);
    await expectDaemonServes();
  });

  it('exec output waits for a client that never reads: berthd memory stays bounded', async () => {
    await daemon.docker.createContainer({ name: 'idle', Image: 'busybox', Cmd: ['sleep', '600'] }).then((c) => c.start());
    const exec = await daemon.docker.getContainer('idle').exec({ Cmd: ['yes', 'a fast stream of output'], AttachStdout: true, AttachStderr: true });
    const before = (await berthdMemory(daemon)).rss;
    const socket = await openStream(`POST /exec/${exec.id}/start HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n`, Buffer.from('{}'));
    const peak = Math.max(before, await peakRssOverFiveSeconds());
    expect(peak - before).toBeLessThan(50 * 1024 * 1024);
    await expectDaemonServes();
    socket.destroy();
    await daemon.docker.getContainer('idle').remove({ force: true });
  });

  it('attach output waits for a client that never reads: berthd memory stays bounded, nothing is lost', async () => {
    await daemon.docker.createContainer({ name: 'chatty-attach', Image: 'busybox', Cmd: ['yes', 'a fast stream of output'] }).then((c) => c.start());
    const before = (await berthdMemory(daemon)).rss;
    const socket = await openStream('POST /containers/chatty-attach/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n');
    socket.pause();
    const peak = Math.max(before, await peakRssOverFiveSeconds());
    expect(peak - before).toBeLessThan(50 * 1024 * 1024);
    await expectDaemonServes();
    // The stream resumes where it stopped: the client was slowed down, not cut off.
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    await sleep(1000);
    expect(received).toBeGreaterThan(1024 * 1024);
    socket.destroy();
    await daemon.docker.getContainer('chatty-attach').remove({ force: true });
  });

  it('WebSocket stdin waits for a container that does not read it: berthd memory stays bounded', async () => {
    await daemon.docker.createContainer({ name: 'deaf', Image: 'busybox', Cmd: ['sleep', '600'], OpenStdin: true }).then((c) => c.start());
    const socket = await openWebSocket('/containers/deaf/attach/ws?stream=1&stdin=1&stdout=1');
    const before = (await berthdMemory(daemon)).rss;
    const frame = maskedBinaryFrame(Buffer.alloc(1024 * 1024, 'y'));
    // Up to 128 MiB offered; the daemon must stop reading once the container's stdin is full.
    let taken = 0;
    let peak = before;
    for (; taken < 128; taken++) {
      const drained = socket.write(frame) || (await Promise.race([once(socket, 'drain').then(() => true), sleep(2000).then(() => false)]));
      peak = Math.max(peak, (await berthdMemory(daemon)).rss);
      if (!drained) break;
    }
    expect(taken).toBeLessThan(32);
    expect(peak - before).toBeLessThan(50 * 1024 * 1024);
    socket.destroy();
    await expectDaemonServes();
  });

  it('waits and log followers of clients that left are dropped, and later waits still work', async () => {
    const id = await createContainer('waited', ['sleep', '600']);
    await daemon.docker.getContainer(id).start();
    const abandoned: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      abandoned.push(await openStream(`POST /containers/${id}/wait HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n`));
      abandoned.push(await openStream(`GET /containers/${id}/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n\r\n`));
    }
    for (const socket of abandoned) socket.destroy();
    await expectDaemonServes();
    const waited = daemon.docker.getContainer(id).wait();
    await daemon.docker.getContainer(id).kill();
    expect(await waited).toMatchObject({ StatusCode: 137 });
  });

  it('an upload that pauses mid-body is not cut off by a request timeout', async () => {
    const id = await createContainer('upload-target', ['true']);
    const { pack } = await import('tar-stream');
    const tar = pack();
    tar.entry({ name: 'uploaded.txt' }, 'slowly\n');
    tar.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const socket = connect(daemon.socket);
    const answer: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answer.push(chunk));
    socket.write(`PUT /containers/${id}/archive?path=/ HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    socket.write(body.subarray(0, 100));
    await sleep(3000);
    // Not `end()`: a client that half-closes its side gives up on the answer, as far as Node's server is concerned.
    socket.write(body.subarray(100));
    await once(socket, 'close');
    expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 200/);
    const copied = await daemon.dockerCli(['cp', `${id}:/uploaded.txt`, '-']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('slowly');
  });

  it('an upload refused before its body is read (archive PUT to a missing container) is answered and discarded: the connection serves the next request', async () => {
    // Larger than every buffer on the way: a body nobody discards would stall the upload, and the ping behind it.
    const body = Buffer.alloc(64 * 1024 * 1024);
    const socket = connect(daemon.socket);
    const answer: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answer.push(chunk));
    // A reset fails the test through what was answered before it.
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`PUT /containers/no-such-container/archive?path=/ HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    socket.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
    await closed;
    const answers = Buffer.concat(answer).toString('latin1');
    expect(answers).toMatch(/^HTTP\/1\.1 404 [^]*No such container: no-such-container[^]*HTTP\/1\.1 200 [^]*\r\n\r\nOK$/);
    await expectDaemonServes();
  });
});
