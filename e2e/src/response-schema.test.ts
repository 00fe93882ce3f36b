import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { ENGINE_ROUTES, type EngineRoute } from '@berth/api';
import { pack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineApiSpec } from './engine-api-spec.js';
import { busyboxArchive, run, useTestDaemon } from './harness.js';
import { startRegistry } from './registry-harness.js';

/**
 * Every route berthd serves answers as the Engine API v1.47 description says: each response below is
 * validated against it (statuses, content types, and JSON bodies with every documented field present),
 * and the last test fails when a route is served that no request here has checked (the daemon's tests
 * hold ENGINE_ROUTES to what its server registers).
 */
const d = useTestDaemon();
let spec: EngineApiSpec;
/** `METHOD url` of the routes a validated response came from (`(upgrade)` for hijacked ones). */
const covered = new Set<string>();

beforeAll(async () => {
  spec = await EngineApiSpec.load();
});

interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface CallOptions {
  body?: unknown;
  /** A raw body (a tar archive) and its type. */
  raw?: { data: Buffer | NodeJS.ReadableStream; type: string };
  /** Ask for a hijacked connection: `tcp` as the docker CLI does, `websocket` for attach/ws. */
  upgrade?: 'tcp' | 'websocket';
}

const routeKey = (route: EngineRoute): string => `${route.method} ${route.url}${route.upgrade ? ' (upgrade)' : ''}`;

/** Sends a request to the test daemon and validates the response; fails the test on any discrepancy. */
async function api(method: string, path: string, options: CallOptions = {}): Promise<Exchange> {
  const exchange = await send(method, `/v1.47${path}`, options);
  const op = spec.operation(method, path.split('?')[0]!);
  const problems = spec.check(op, exchange.status, exchange.headers['content-type'], exchange.body, options.upgrade !== undefined);
  expect(problems, `${method} ${path} → ${exchange.status} (${op.key}): ${exchange.body.toString().slice(0, 300)}`).toEqual([]);
  covered.add(routeKey(servedRoute(method, path.split('?')[0]!, options.upgrade !== undefined)));
  return exchange;
}

/** The served route a request reaches, as fastify picks it: static paths first, then parameters, then wildcards. */
function servedRoute(method: string, path: string, upgrade: boolean): EngineRoute {
  const rank = (url: string): number => (url.includes('*') ? 2 : url.includes(':') ? 1 : 0);
  const found = ENGINE_ROUTES.filter((r) => r.method === method && (r.upgrade ?? false) === upgrade)
    .filter((r) => new RegExp(`^${r.url.replace(/:[^/]+/g, '[^/]+').replace('*', '.*')}$`).test(path))
    .sort((a, b) => rank(a.url) - rank(b.url))[0];
  if (!found) throw new Error(`berthd serves no ${method} ${path}${upgrade ? ' with Upgrade' : ''}`);
  return found;
}

function send(method: string, path: string, options: CallOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    let payload: Buffer | NodeJS.ReadableStream | undefined;
    if (options.raw) {
      headers['Content-Type'] = options.raw.type;
      payload = options.raw.data;
    } else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = Buffer.from(JSON.stringify(options.body));
    }
    if (options.upgrade === 'tcp') Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'tcp' });
    if (options.upgrade === 'websocket') {
      Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') });
    }
    const req = request({ socketPath: d.socket, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('upgrade', (res, socket, head) => {
      const chunks: Buffer[] = [head];
      // A websocket stays open: its upgrade is the answer; a raw stream runs until the container's output ends.
      if (options.upgrade === 'websocket') socket.destroy();
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      socket.on('error', () => undefined);
    });
    req.on('error', reject);
    if (payload === undefined) req.end();
    else if (Buffer.isBuffer(payload)) req.end(payload);
    else payload.pipe(req);
  });
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name, mode: 0o644 }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const json = <T>(exchange: Exchange): T => JSON.parse(exchange.body.toString()) as T;

async function createContainer(body: Record<string, unknown>, name?: string): Promise<string> {
  const created = await api('POST', `/containers/create${name ? `?name=${name}` : ''}`, { body: { Image: 'busybox', ...body } });
  expect(created.status).toBe(201);
  return json<{ Id: string }>(created).Id;
}

describe('system', () => {
  it('ping, version, info, df', async () => {
    expect((await api('GET', '/_ping')).body.toString()).toBe('OK');
    expect((await api('HEAD', '/_ping')).status).toBe(200);
    await api('GET', '/version');
    await api('GET', '/info');
    await api('GET', '/system/df');
  });

  it('events', async () => {
    await createContainer({ Cmd: ['true'] }, 'evented');
    const events = await api('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000)}`);
    expect(events.body.toString()).toContain('"create"');
  });
});

describe('images', () => {
  it('list, inspect, history, tag, remove', async () => {
    await api('GET', '/images/json');
    await api('GET', '/images/busybox/json');
    await api('GET', '/images/busybox/history');
    expect((await api('POST', '/images/busybox/tag?repo=schema&tag=v1')).status).toBe(201);
    await api('DELETE', '/images/schema:v1');
    expect((await api('GET', '/images/no-such-image/json')).status).toBe(404);
  });

  it('save, load, import, commit, prune', async () => {
    await api('GET', '/images/get?names=busybox');
    await api('GET', '/images/busybox/get');
    await api('POST', '/images/load', { raw: { data: createReadStream(await busyboxArchive()), type: 'application/x-tar' } });
    await api('POST', '/images/create?fromSrc=-&repo=imported&tag=v1', { raw: { data: await tarOf({ 'hello.txt': 'hi\n' }), type: 'application/x-tar' } });
    const id = await createContainer({ Cmd: ['true'] });
    expect((await api('POST', `/commit?container=${id}&repo=committed&tag=v1`)).status).toBe(201);
    await api('POST', '/images/prune');
  });

  it('build (classic), its parse error, system df with build cache, build prune', async () => {
    const context = await tarOf({ Dockerfile: 'FROM busybox\nRUN echo built > /built\nCMD ["cat", "/built"]\n' });
    const built = await api('POST', '/build?t=schema-built&version=1', { raw: { data: context, type: 'application/x-tar' } });
    expect(built.body.toString()).toContain('Successfully tagged schema-built:latest');
    const bad = await api('POST', '/build', { raw: { data: await tarOf({ Dockerfile: 'FROM busybox\nNOPE x\n' }), type: 'application/x-tar' } });
    expect(bad.status).toBe(400);
    const df = json<{ BuildCache: unknown[] }>(await api('GET', '/system/df?type=build-cache'));
    expect(df.BuildCache.length).toBeGreaterThan(0);
    expect(json<{ SpaceReclaimed: number }>(await api('POST', '/build/prune')).SpaceReclaimed).toBeGreaterThanOrEqual(0);
  });
});

describe('registry', () => {
  it('login, pull, push, distribution inspect', async () => {
    const registry = await startRegistry();
    try {
      const pushed = await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/library/busybox:latest`], {
        env: { REGISTRY_AUTH_FILE: `${registry.work}/auth.json` },
      });
      expect(pushed.code, pushed.stderr).toBe(0);
      await api('POST', '/auth', { body: { username: 'anyone', password: 'anything', serveraddress: registry.host } });
      expect((await api('POST', `/images/create?fromImage=${registry.host}/library/busybox&tag=latest`)).status).toBe(200);
      expect((await api('POST', `/images/create?fromImage=${registry.host}/library/busybox&tag=missing`)).status).toBe(404);
      expect((await api('POST', `/images/${encodeURIComponent(`${registry.host}/library/busybox`)}/push?tag=latest`)).status).toBe(200);
      const inspected = await api('GET', `/distribution/${encodeURIComponent(`${registry.host}/library/busybox:latest`)}/json`);
      expect(JSON.parse(inspected.body.toString())).toMatchObject({ Platforms: [{ os: 'linux', architecture: 'amd64' }] });
    } finally {
      await registry.stop();
    }
  }, 60_000);
});

describe('containers', () => {
  let id = '';

  it('create, list, inspect (also with size), start', async () => {
    id = await createContainer({ Cmd: ['sh', '-c', 'echo out; echo err >&2; sleep 300'], Tty: false }, 'schema-main');
    await api('GET', '/containers/json?all=1');
    await api('GET', `/containers/${id}/json`);
    expect((await api('POST', `/containers/${id}/start`)).status).toBe(204);
    expect((await api('POST', `/containers/${id}/start`)).status).toBe(304);
    await api('GET', `/containers/json?size=1`);
    const sized = json<{ SizeRw?: number; SizeRootFs?: number }>(await api('GET', `/containers/${id}/json?size=1`));
    expect(sized.SizeRw).toBeTypeOf('number');
    expect(sized.SizeRootFs).toBeGreaterThan(0);
    expect((await api('GET', '/containers/no-such-container/json')).status).toBe(404);
  });

  it('inspect and list of containers the docker CLI made with many options', async () => {
    const flags = ['--network', 'host', '-v', 'schema-vol:/data', '--tmpfs', '/scratch', '--health-cmd', 'true', '--log-driver', 'local'];
    const made = await d.dockerCli(['create', '--name', 'schema-cli', ...flags, '--restart', 'on-failure:2', '-e', 'A=b', '-l', 'k=v', '-p', '8080', 'busybox', 'sleep', '300']);
    expect(made.code, made.stderr).toBe(0);
    await api('GET', '/containers/schema-cli/json');
    await api('POST', '/containers/schema-cli/start');
    await api('GET', '/containers/schema-cli/json');
    await api('GET', '/containers/json');
    await api('DELETE', '/containers/schema-cli?force=1&v=1');
  });

  it('top, stats, logs, changes, export, archive, resize', async () => {
    await api('GET', `/containers/${id}/top`);
    await api('GET', `/containers/${id}/stats?stream=0&one-shot=1`);
    await api('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
    await api('GET', `/containers/${id}/changes`);
    await api('GET', `/containers/${id}/export`);
    await api('HEAD', `/containers/${id}/archive?path=/etc/hostname`);
    await api('GET', `/containers/${id}/archive?path=/etc/hostname`);
    await api('PUT', `/containers/${id}/archive?path=/tmp`, { raw: { data: await tarOf({ 'put.txt': 'put\n' }), type: 'application/x-tar' } });
    await api('POST', `/containers/${id}/resize?h=40&w=100`);
  });

  it('update, rename, pause, unpause, restart, attach', async () => {
    await api('POST', `/containers/${id}/update`, { body: { CpuShares: 512 } });
    expect((await api('POST', `/containers/${id}/rename?name=schema-renamed`)).status).toBe(204);
    expect((await api('POST', `/containers/${id}/pause`)).status).toBe(204);
    expect((await api('POST', `/containers/${id}/unpause`)).status).toBe(204);
    expect((await api('POST', `/containers/${id}/restart?t=0`)).status).toBe(204);
    const replayed = await api('POST', `/containers/${id}/attach?logs=1&stream=0&stdout=1&stderr=1`, { upgrade: 'tcp' });
    expect(replayed.status).toBe(101);
    await api('POST', `/containers/${id}/attach?logs=1&stream=0&stdout=1`);
    expect((await api('GET', `/containers/${id}/attach/ws?stream=1&stdout=1`, { upgrade: 'websocket' })).status).toBe(101);
  });

  it('exec: create, start (plain and upgraded), inspect, resize', async () => {
    const create = async (): Promise<string> => json<{ Id: string }>(await api('POST', `/containers/${id}/exec`, { body: { Cmd: ['echo', 'exec'], AttachStdout: true } })).Id;
    const plain = await create();
    await api('POST', `/exec/${plain}/start`, { body: { Detach: false, Tty: false } });
    await api('GET', `/exec/${plain}/json`);
    const upgraded = await create();
    expect((await api('POST', `/exec/${upgraded}/start`, { body: { Detach: false, Tty: false }, upgrade: 'tcp' })).status).toBe(101);
    await api('POST', `/exec/${await create()}/resize?h=40&w=100`);
  });

  it('stop, kill, wait, remove, prune', async () => {
    expect((await api('POST', `/containers/${id}/stop?t=0`)).status).toBe(204);
    expect((await api('POST', `/containers/${id}/stop`)).status).toBe(304);
    await api('POST', `/containers/${id}/wait`);
    expect((await api('POST', `/containers/${id}/kill`)).status).toBe(409);
    const sleeper = await createContainer({ Cmd: ['sleep', '30'] });
    await api('POST', `/containers/${sleeper}/start`);
    expect((await api('POST', `/containers/${sleeper}/kill`)).status).toBe(204);
    expect((await api('DELETE', `/containers/${id}`)).status).toBe(204);
    await api('POST', '/containers/prune');
  });
});

describe('volumes', () => {
  it('create, list, inspect, remove, prune', async () => {
    expect((await api('POST', '/volumes/create', { body: { Name: 'schema-volume', Labels: { a: 'b' } } })).status).toBe(201);
    await api('GET', '/volumes');
    await api('GET', '/volumes/schema-volume');
    expect((await api('DELETE', '/volumes/schema-volume')).status).toBe(204);
    expect((await api('GET', '/volumes/schema-volume')).status).toBe(404);
    await api('POST', '/volumes/prune');
  });
});

// This daemon runs with --bridge=none outside a namespace of its own: networks are created and
// containers connected only while stopped, which makes no bridge (e2e/src/network.test.ts runs them).
describe('networks', () => {
  it('create, list, inspect, connect, disconnect, remove, prune', async () => {
    const created = await api('POST', '/networks/create', { body: { Name: 'schema-net', Labels: { a: 'b' }, IPAM: { Config: [{ Subnet: '10.123.0.0/24' }] } } });
    expect(created.status).toBe(201);
    await api('GET', '/networks');
    await api('GET', '/networks?filters=%7B%22type%22%3A%5B%22custom%22%5D%7D');
    await api('GET', '/networks/schema-net');
    await api('GET', '/networks/none');
    expect((await api('GET', '/networks/no-such-network')).status).toBe(404);
    const id = await createContainer({ Cmd: ['true'], HostConfig: { NetworkMode: 'schema-net' } });
    expect((await api('POST', '/networks/schema-net/disconnect', { body: { Container: id } })).status).toBe(200);
    expect((await api('POST', '/networks/schema-net/connect', { body: { Container: id, EndpointConfig: { Aliases: ['db'] } } })).status).toBe(200);
    await api('GET', `/containers/${id}/json`);
    expect((await api('DELETE', `/containers/${id}`)).status).toBe(204);
    expect((await api('DELETE', '/networks/schema-net')).status).toBe(204);
    await api('POST', '/networks/create', { body: { Name: 'schema-unused' } });
    await api('POST', '/networks/prune');
  });
});

it('every route berthd serves had a response validated above', () => {
  const missing = ENGINE_ROUTES.map(routeKey).filter((key) => !covered.has(key));
  expect(missing).toEqual([]);
});
