/**
 * Protocol tests: a small node:http server on a unix socket stands in for the daemon and answers a
 * few routes the way the Engine API specifies, so that request building, version negotiation,
 * error mapping, JSON-lines parsing and the hijacked attach are checked byte for byte. The client
 * against the real berthd is covered by the e2e suite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough, Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { frameStdStream, MULTIPLEXED_STREAM_CONTENT_TYPE, NotFoundError, StdStream, UnavailableError } from '@berth/api';
import { BerthClient } from './client.js';
import { isDaemonError } from './daemon-errors.js';
import { ProgressStreamError } from './progress-stream.js';

let dir: string;
let server: Server;
let client: BerthClient;
let serverApiVersion: string;
const seen: string[] = [];
let onStart: (() => void) | undefined;

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push(`${req.method} ${url.pathname}${url.search}`);
  const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
  if (url.pathname === '/_ping') {
    res.writeHead(200, { 'Api-Version': serverApiVersion, 'Content-Type': 'text/plain' }).end('OK');
  } else if (path.startsWith('/distribution/')) {
    json(res, 200, { Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: 'sha256:d', size: 1 }, Platforms: [{ architecture: 'amd64', os: 'linux' }], auth: req.headers['x-registry-auth'] });
  } else if (path === '/containers/nope/json') {
    json(res, 404, { message: 'No such container: nope' });
  } else if (path === '/containers/create') {
    json(res, 201, { Id: 'c'.repeat(64), Warnings: [], received: JSON.parse((await bodyOf(req)).toString()) });
  } else if (path === '/containers/live/stats') {
    // Two samples, then the stream stays open as a running container's does.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"id":"live","read":"1"}\n{"id":"li');
    res.write('ve","read":"2"}\n');
  } else if (path === '/images/load') {
    const tar = await bodyOf(req);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (tar.toString() === 'broken') {
      res.end('{"stream":"Loading layer\\n"}\r\n{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\r\n');
    } else {
      res.write('{"stream":"Loaded image: busybox:latest\\n"}\r\n{"stre');
      res.end(`am":"Loaded image: ${tar.length} bytes\\n"}\r\n`);
    }
  } else if (path === '/build') {
    const context = await bodyOf(req);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`{"stream":"${req.headers['content-type']} ${context.length} bytes ${req.headers['x-registry-config'] ?? 'no-config'}\\n"}\r\n`);
    if (url.searchParams.get('target') === 'fail') res.end('{"errorDetail":{"code":3,"message":"returned a non-zero code: 3"},"error":"returned a non-zero code: 3"}\r\n');
    else res.end('{"aux":{"ID":"sha256:abc"}}\r\n');
  } else if (path === '/images/create') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"status":"${req.headers['x-registry-auth'] ?? 'no-auth'}"}\r\n`);
  } else if (path === '/build/prune') {
    json(res, 200, { CachesDeleted: ['c1'], SpaceReclaimed: 10 });
  } else if (path === '/containers/c1/wait') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    onStart = () => res.end(`{"StatusCode":3,"Error":null}`);
  } else if (path === '/containers/c1/start') {
    res.writeHead(204).end();
    onStart?.();
  } else if (path === '/containers/running/start') {
    res.writeHead(304).end();
  } else {
    json(res, 404, { message: 'page not found' });
  }
}

/** Answers an attach upgrade like moby: 101, then stdcopy frames; echoes stdin until the client closes it. */
function handleUpgrade(req: IncomingMessage, socket: Duplex): void {
  seen.push(`UPGRADE ${req.method} ${req.url} ${req.headers.upgrade}`);
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${MULTIPLEXED_STREAM_CONTENT_TYPE}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  socket.write(frameStdStream(StdStream.Stderr, Buffer.from('to stderr\n')));
  socket.on('data', (chunk: Buffer) => socket.write(frameStdStream(StdStream.Stdout, chunk)));
  socket.on('end', () => socket.end(frameStdStream(StdStream.Stdout, Buffer.from('after stdin closed\n'))));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-client-'));
  serverApiVersion = '1.47';
  seen.length = 0;
  onStart = undefined;
  server = createServer({ allowHalfOpen: true } as object, (req, res) => void handle(req, res));
  server.on('upgrade', handleUpgrade);
  const socketPath = join(dir, 'd.sock');
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  client = new BerthClient({ host: `unix://${socketPath}` });
});

afterEach(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('BerthClient protocol', () => {
  it('negotiates down to the server API version with one ping and prefixes paths with it', async () => {
    serverApiVersion = '1.41';
    expect(await client.apiVersion()).toBe('1.41');
    await client.createContainer({ Image: 'busybox', Cmd: ['true'] }, { name: 'web' });
    await client.createContainer({ Image: 'busybox' });
    expect(seen).toEqual(['GET /_ping', 'POST /v1.41/containers/create?name=web', 'POST /v1.41/containers/create']);
  });

  it('keeps its own version when the server is newer, and sends the JSON body', async () => {
    serverApiVersion = '1.52';
    const created = (await client.createContainer({ Image: 'busybox', Env: ['A=1'] })) as unknown as Record<string, unknown>;
    expect(seen[1]).toBe('POST /v1.47/containers/create');
    expect(created.received).toEqual({ Image: 'busybox', Env: ['A=1'] });
  });

  it('turns error statuses into typed daemon errors carrying the message', async () => {
    const err = await client.inspectContainer('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('No such container: nope');
    expect(isDaemonError(err)).toBe(true);
  });

  it('treats 304 (already started) as success, as the docker client does', async () => {
    await expect(client.startContainer('running')).resolves.toBeUndefined();
  });

  it('streams the archive to /images/load and yields the messages', async () => {
    const messages = await drain(client.loadImage(Readable.from([Buffer.from('tar-'), Buffer.from('bytes')]), { quiet: true }));
    expect(messages.map((m) => m.stream)).toEqual(['Loaded image: busybox:latest\n', 'Loaded image: 9 bytes\n']);
    expect(seen[1]).toBe('POST /v1.47/images/load?quiet=1');
  });

  it('streams stats samples until the caller aborts', async () => {
    const abort = new AbortController();
    const samples = await client.containerStatsStream('live', { signal: abort.signal });
    const reads: string[] = [];
    await expect(
      (async () => {
        for await (const sample of samples) {
          reads.push(sample.read);
          if (reads.length === 2) abort.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    expect(reads).toEqual(['1', '2']);
    expect(seen.at(-1)).toBe('GET /v1.47/containers/live/stats?stream=1');
  });

  it('asks /images/load for progress unless quiet, as the daemon is quiet by default', async () => {
    await drain(client.loadImage(Readable.from([Buffer.from('tar')])));
    expect(seen.at(-1)).toBe('POST /v1.47/images/load?quiet=0');
  });

  it('throws the error line of a load stream', async () => {
    const err = await drain(client.loadImage(Readable.from([Buffer.from('broken')]))).catch((e: unknown) => e);
    expect((err as Error).message).toBe('unexpected EOF');
    expect(isDaemonError(err)).toBe(false);
  });

  it('sends a build context with the query docker sends and yields the messages', async () => {
    const messages = await drain(
      client.build(Readable.from([Buffer.from('context')]), {
        tags: ['a:1', 'b'], dockerfile: 'sub/Dockerfile', remove: false, buildArgs: { A: '1', B: null }, labels: {}, networkMode: 'default',
        registryConfig: { 'localhost:5000': { username: 'u', password: 'p' } },
      }),
    );
    // Padded base64url, as the docker CLI sends it (Go's base64.URLEncoding).
    const config = 'eyJsb2NhbGhvc3Q6NTAwMCI6eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifX0=';
    expect(messages).toEqual([{ stream: `application/x-tar 7 bytes ${config}\n` }, { aux: { ID: 'sha256:abc' } }]);
    expect(seen[1]).toBe(`POST /v1.47/build?t=a%3A1&t=b&dockerfile=sub%2FDockerfile&rm=0&buildargs=${encodeURIComponent('{"A":"1","B":null}').replace(/%20/g, '+')}&networkmode=default`);
  });

  it('inspects a reference on its registry through the daemon, the name unescaped and credentials sent', async () => {
    const inspected = await client.distributionInspect('127.0.0.1:5000/team/app:1', { username: 'u', password: 'p' });
    expect(inspected).toMatchObject({ Descriptor: { digest: 'sha256:d' }, Platforms: [{ architecture: 'amd64', os: 'linux' }], auth: 'eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ==' });
    expect(seen[1]).toBe('GET /v1.47/distribution/127.0.0.1:5000/team/app:1/json');
  });

  it('sends X-Registry-Auth as padded base64url, as the docker CLI does', async () => {
    const messages = await drain(client.pullImage('busybox', { tag: 'latest', auth: { username: 'u', password: 'p?' } }));
    expect(messages).toEqual([{ status: 'eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InA_In0=' }]);
  });

  it('throws a failed build step with the exit code the daemon gives', async () => {
    const err = await drain(client.build(Readable.from([Buffer.from('x')]), { target: 'fail' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgressStreamError);
    expect(err).toMatchObject({ message: 'returned a non-zero code: 3', code: 3 });
    // docker prints an error line of a stream as it came, not as a refused request.
    expect(isDaemonError(err)).toBe(false);
  });

  it('prunes the build cache with its filters', async () => {
    expect(await client.buildPrune({ all: true, filters: { until: ['24h'] } })).toEqual({ CachesDeleted: ['c1'], SpaceReclaimed: 10 });
    expect(seen[1]).toBe(`POST /v1.47/build/prune?all=1&filters=${encodeURIComponent('{"until":["24h"]}')}`);
  });

  it('beginWait resolves once the daemon armed the wait; the status follows the exit', async () => {
    const pending = await client.beginWait('c1', 'next-exit');
    await client.startContainer('c1');
    expect(await pending.result).toEqual({ StatusCode: 3, Error: null });
    expect(seen).toContain('POST /v1.47/containers/c1/wait?condition=next-exit');
  });

  it('hijacks attach: output is demultiplexed, stdin goes up, and output after stdin EOF still arrives', async () => {
    const attachment = await client.attachContainer('c1', { stream: true, stdin: true, stdout: true, stderr: true });
    expect(attachment.multiplexed).toBe(true);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const copied = attachment.copyOutput(stdout, stderr);
    attachment.socket.end('hello\n');
    await copied;
    expect(stdout.read()?.toString()).toBe('hello\nafter stdin closed\n');
    expect(stderr.read()?.toString()).toBe('to stderr\n');
    expect(seen.at(-1)).toBe('UPGRADE POST /v1.47/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1 tcp');
  });

  it('reports an absent daemon with docker-style wording', async () => {
    const absent = new BerthClient({ host: `unix://${join(dir, 'missing.sock')}` });
    const err = await absent.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(`Cannot connect to the Berth daemon at unix://${join(dir, 'missing.sock')}. Is the berth daemon running?`);
    expect(isDaemonError(err)).toBe(false);
  });
});
