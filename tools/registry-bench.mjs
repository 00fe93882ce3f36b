#!/usr/bin/env node
// berth-registry against the distribution project's Go registry (Debian's `docker-registry`), side by
// side in one run, on loopback, each run as its binary (berth-registry with its shebang's node flags)
// with the same config (access log off, log level error) on an empty storage root. Not a test: it
// prints figures. Measures:
//   - push throughput of N incompressible blobs (monolithic POST + PUT ?digest=) with 1 and 8 clients
//   - pull throughput of the same blobs (GET) with 1 and 8 clients, each client one keep-alive
//     connection that reads into one reused buffer, and again by curl when /usr/bin/curl is there.
//     Not Node's http client: it allocates a buffer per socket read and, on 2 cores, capped both
//     servers at its own speed, about half what curl reaches
//   - manifest GET latency (p50, p99) over 2,000 requests on one keep-alive connection
// Each of BENCH_REG_ROUNDS rounds (default 5) runs both registries at once for each figure: pushes
// one after the other, then BENCH_REG_PASSES pull passes (default 3) and the manifest GETs in blocks,
// alternating between the registries, so that load from elsewhere on the machine falls on both sides
// alike. The table gives the medians over the rounds, the ratio column the median of each round's ratio.
// BENCH_REG_BLOBS (default 10) and BENCH_REG_MB (default 50) set the blobs; the Go registry is found at
// /usr/bin/docker-registry (Debian's docker-registry, which `tools/setup --test` installs).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BLOBS = Number(process.env.BENCH_REG_BLOBS ?? 10);
const MB = Number(process.env.BENCH_REG_MB ?? 50);
const ROUNDS = Number(process.env.BENCH_REG_ROUNDS ?? 5);
const PASSES = Number(process.env.BENCH_REG_PASSES ?? 3);
const MANIFEST_GETS = 2000;
const MANIFEST_BLOCKS = 4;
const GO_REGISTRY = '/usr/bin/docker-registry';
const CURL = '/usr/bin/curl';
const PULL_BUFFER_BYTES = 256 * 1024;

// The shebang's `env node` finds the node that runs this bench.
const nodeFirstOnPath = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
const REGISTRIES = {
  'Go registry': (config) => spawn(GO_REGISTRY, ['serve', config], { stdio: ['ignore', 'ignore', 'inherit'] }),
  'berth-registry': (config) => spawn(join(repo, 'packages/registry/dist/bin/berth-registry.js'), ['serve', config], { stdio: ['ignore', 'ignore', 'inherit'], env: nodeFirstOnPath }),
};

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One HTTP exchange; resolves with status, headers and the body (drained, or collected when `collect`). */
function exchange(agent, host, method, path, { body, headers = {}, collect = false } = {}) {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ agent, hostname, port: Number(port), method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => collect && chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body && typeof body.pipe === 'function') body.pipe(req);
    else req.end(body);
  });
}

function expectStatus(answer, status, what) {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${answer.body.toString()}`);
}

/** Starts one registry on an empty root; returns its host and a stop function. */
async function startRegistry(name, work) {
  const root = join(work, `${name.replace(/\W/g, '')}-${Date.now()}`);
  await mkdir(root, { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(root, 'config.yml');
  // Go's access log would cost it a line per request, ours a JSON line: both run without one.
  const log = 'log:\n  level: error\n  accesslog:\n    disabled: true\n';
  await writeFile(config, `version: 0.1\n${log}http:\n  addr: ${host}\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, 'data')}\n  delete:\n    enabled: true\n`);
  const child = REGISTRIES[name](config);
  const agent = new Agent({ keepAlive: true });
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    if (await exchange(agent, host, 'GET', '/v2/').then((a) => a.status === 200, () => false)) break;
    if (attempt > 300) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 20));
  }
  agent.destroy();
  return {
    host,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Starts every registry, in `order`; stops them all when `work` is done, whatever happens. */
async function withRegistries(order, work, use) {
  const registries = {};
  try {
    for (const name of order) registries[name] = await startRegistry(name, work);
    return await use(registries);
  } finally {
    for (const registry of Object.values(registries)) await registry.stop();
  }
}

async function pushBlob(agent, host, repository, blob) {
  const started = await exchange(agent, host, 'POST', `/v2/${repository}/blobs/uploads/`, { headers: { 'Content-Length': '0' } });
  expectStatus(started, 202, 'start upload');
  const location = new URL(started.headers.location, `http://${host}`);
  location.searchParams.set('digest', blob.digest);
  const done = await exchange(agent, host, 'PUT', `${location.pathname}${location.search}`, {
    body: createReadStream(blob.path),
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size) },
  });
  expectStatus(done, 201, 'finish upload');
}

/** Runs `work` over every item with `clients` at a time, each client with its own `client()`; returns the seconds it took. */
async function timedConcurrently(items, clients, work, client = () => undefined) {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const own = await client();
      while (next < items.length) await work(items[next++], own);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * A keep-alive HTTP/1.1 connection that GETs blobs and counts their bytes as they arrive in one
 * reused buffer, as curl does; resolves each GET once its Content-Length bytes are in.
 */
function openPuller(host) {
  const [hostname, port] = host.split(':');
  const buffer = Buffer.allocUnsafe(PULL_BUFFER_BYTES);
  let pending;
  const settle = (err) => {
    const answer = pending;
    pending = undefined;
    if (err) answer?.reject(err);
    else answer?.resolve();
  };
  const received = (count) => {
    if (!pending) return socket.destroy(new Error('bytes with no GET in flight'));
    let bodyStart = 0;
    if (pending.left === undefined) {
      pending.head += buffer.toString('latin1', 0, count);
      const end = pending.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = /^HTTP\/1\.1 (\d+)/.exec(pending.head)?.[1];
      const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(pending.head.slice(0, end + 2))?.[1];
      if (status !== '200' || length === undefined) return settle(new Error(`pull ${pending.path}: ${pending.head.split('\r\n')[0]}, length ${length}`));
      pending.left = Number(length);
      bodyStart = count - (pending.head.length - end - 4);
    }
    pending.left -= count - bodyStart;
    if (pending.left <= 0) settle(pending.left < 0 ? new Error(`pull ${pending.path}: more bytes than its Content-Length`) : undefined);
  };
  const socket = connect({ host: hostname, port: Number(port), onread: { buffer, callback: (count) => void received(count) } });
  socket.on('error', (err) => settle(err));
  socket.on('close', () => settle(new Error('the registry closed the connection')));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        get: (path) =>
          new Promise((resolve, reject) => {
            pending = { path, head: '', left: undefined, resolve, reject };
            socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
          }),
        close: () => socket.destroy(),
      });
    });
  });
}

/** Pulls every blob with `clients` connections at a time; returns the seconds it took. */
async function pull(host, blobs, clients) {
  const pullers = [];
  try {
    return await timedConcurrently(
      blobs,
      clients,
      (blob, puller) => puller.get(`/v2/bench/blobs/blobs/${blob.digest}`),
      async () => {
        const puller = await openPuller(host);
        pullers.push(puller);
        return puller;
      },
    );
  } finally {
    for (const puller of pullers) puller.close();
  }
}

/**
 * The same pulls by curl (`--parallel` for several clients), the seconds they took. Its client costs
 * far less CPU than Node's, so on a 2-core machine this shows more of the servers and less of the client.
 */
async function curlPull(host, blobs, clients) {
  const parallel = clients > 1 ? ['--parallel', '--parallel-max', String(clients)] : [];
  const urls = blobs.flatMap((blob) => [`http://${host}/v2/bench/blobs/blobs/${blob.digest}`, '-o', '/dev/null']);
  const started = process.hrtime.bigint();
  const child = spawn(CURL, ['--silent', '--no-progress-meter', '--show-error', '--fail', '--write-out', '%{size_download}\\n', ...parallel, ...urls], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise((resolve) => child.once('close', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const received = out.split('\n').filter(Boolean).reduce((sum, n) => sum + Number(n), 0);
  const expected = blobs.reduce((sum, b) => sum + b.size, 0);
  if (code !== 0 || received !== expected) throw new Error(`curl pull: exit ${code}, ${received} of ${expected} bytes`);
  return seconds;
}

/** `order` on even passes, reversed on odd ones, so neither registry always goes first. */
const alternate = (order, pass) => (pass % 2 === 0 ? order : [...order].reverse());

/**
 * Push then pull throughput (MB/s) of every registry with `clients` clients: pushes one registry
 * after the other, then pull passes that alternate between them.
 */
async function throughput(order, work, blobs, clients) {
  return withRegistries(order, work, async (registries) => {
    const megabytes = blobs.reduce((sum, b) => sum + b.size, 0) / 1e6;
    const figures = {};
    for (const name of order) {
      const agent = new Agent({ keepAlive: true, maxSockets: clients });
      const seconds = await timedConcurrently(blobs, clients, (blob) => pushBlob(agent, registries[name].host, 'bench/blobs', blob));
      agent.destroy();
      figures[name] = { push: megabytes / seconds, pullSeconds: 0, curlSeconds: 0 };
    }
    const curl = existsSync(CURL);
    for (let pass = 0; pass < PASSES; pass++) {
      for (const name of alternate(order, pass)) figures[name].pullSeconds += await pull(registries[name].host, blobs, clients);
      if (curl) for (const name of alternate(order, pass)) figures[name].curlSeconds += await curlPull(registries[name].host, blobs, clients);
    }
    return Object.fromEntries(
      order.map((name) => {
        const { push, pullSeconds, curlSeconds } = figures[name];
        return [name, { push, pull: (megabytes * PASSES) / pullSeconds, curlPull: curl ? (megabytes * PASSES) / curlSeconds : undefined }];
      }),
    );
  });
}

/** Pushes a one-layer image tagged `latest` to `bench/manifest`; returns its media type. */
async function pushManifest(agent, host, work, blob) {
  await pushBlob(agent, host, 'bench/manifest', blob);
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  // POST then PUT, as for the layers: the Go registry 2.8 has no single-POST upload.
  const configPath = join(work, 'config.json');
  await writeFile(configPath, config);
  await pushBlob(agent, host, 'bench/manifest', { path: configPath, size: config.length, digest: configDigest });
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: blob.digest, size: blob.size }],
  });
  expectStatus(await exchange(agent, host, 'PUT', '/v2/bench/manifest/manifests/latest', { body: manifest, headers: { 'Content-Type': mediaType } }), 201, 'manifest');
  return mediaType;
}

/** Manifest GET p50 and p99 (ms) of every registry, its GETs in blocks that alternate between the registries. */
async function manifestLatency(order, work, blob) {
  return withRegistries(order, work, async (registries) => {
    const clients = {};
    for (const name of order) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      clients[name] = { agent, mediaType: await pushManifest(agent, registries[name].host, work, blob), latencies: [] };
    }
    for (let block = 0; block < MANIFEST_BLOCKS; block++) {
      for (const name of alternate(order, block)) {
        const { agent, mediaType, latencies } = clients[name];
        for (let i = 0; i < MANIFEST_GETS / MANIFEST_BLOCKS; i++) {
          const started = process.hrtime.bigint();
          const answer = await exchange(agent, registries[name].host, 'GET', '/v2/bench/manifest/manifests/latest', { headers: { Accept: mediaType } });
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          expectStatus(answer, 200, 'manifest GET');
        }
      }
    }
    return Object.fromEntries(
      order.map((name) => {
        const { agent, latencies } = clients[name];
        agent.destroy();
        latencies.sort((a, b) => a - b);
        return [name, { p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] }];
      }),
    );
  });
}

/** Every figure of every registry once; `order` says which registry goes first (it alternates between rounds). */
async function measureRound(names, order, work, blobs) {
  const rows = [];
  const row = (what, figures, key) => rows.push({ what, values: Object.fromEntries(names.map((n) => [n, figures[n][key]])) });
  for (const clients of [1, 8]) {
    const figures = await throughput(order, work, blobs, clients);
    const suffix = `${clients} client${clients > 1 ? 's' : ''} (MB/s)`;
    row(`push, ${suffix}`, figures, 'push');
    row(`pull, ${suffix}`, figures, 'pull');
    if (figures[names[0]].curlPull !== undefined) row(`pull by curl, ${suffix}`, figures, 'curlPull');
  }
  const latency = await manifestLatency(order, work, blobs[0]);
  row('manifest GET p50 (ms)', latency, 'p50');
  row('manifest GET p99 (ms)', latency, 'p99');
  return rows;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  if (!existsSync(GO_REGISTRY)) throw new Error(`${GO_REGISTRY} is missing: run tools/setup --test, or apt-get install docker-registry (its service need not run)`);
  const work = await mkdtemp(join(tmpdir(), 'berth-registry-bench-'));
  try {
    const blobs = [];
    for (let i = 0; i < BLOBS; i++) {
      const data = randomBytes(MB * 1024 * 1024);
      const path = join(work, `blob-${i}`);
      await writeFile(path, data);
      blobs.push({ path, size: data.length, digest: `sha256:${createHash('sha256').update(data).digest('hex')}` });
    }
    const names = Object.keys(REGISTRIES);
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await measureRound(names, round % 2 === 0 ? names : [...names].reverse(), work, blobs));
    console.log(`registry bench: ${BLOBS} blobs of ${MB} MB, ${MANIFEST_GETS} manifest GETs; medians of ${ROUNDS} rounds`);
    console.log(`  ${'figure'.padEnd(28)}${names.map((n) => n.padStart(16)).join('')}   berth / Go   (each round's ratio)`);
    for (const [index, { what }] of rounds[0].entries()) {
      const values = names.map((n) => median(rounds.map((rows) => rows[index].values[n])));
      const ratios = rounds.map((rows) => rows[index].values['berth-registry'] / rows[index].values['Go registry']);
      const each = ratios.map((r) => r.toFixed(2)).join(' ');
      console.log(`  ${what.padEnd(28)}${values.map((v) => v.toFixed(2).padStart(16)).join('')}   ${median(ratios).toFixed(2)}×        (${each})`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
