#!/usr/bin/env node
// berth-registry against the distribution project's Go registry (Debian's `docker-registry`), side by
// side in one run, on loopback, each on an empty storage root per measurement. Not a test: it prints
// figures. Measures:
//   - push throughput of N incompressible blobs (monolithic POST + PUT ?digest=) with 1 and 8 clients
//   - pull throughput of the same blobs (GET) with 1 and 8 clients, by Node's http client and, when
//     /usr/bin/curl is there, by curl (a far cheaper client: on 2 cores Node's client caps both servers)
//   - manifest GET latency (p50, p99) over 2,000 requests on one keep-alive connection
// Each of BENCH_REG_ROUNDS rounds (default 5) measures every figure of both registries, one after the
// other; the table gives the medians over the rounds, the ratio column the median of each round's
// ratio, so that load from elsewhere on the machine falls on both sides of a ratio alike.
// BENCH_REG_BLOBS (default 10) and BENCH_REG_MB (default 50) set the blobs; the Go registry is found at
// /usr/bin/docker-registry (Debian's docker-registry, which `tools/setup --test` installs).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BLOBS = Number(process.env.BENCH_REG_BLOBS ?? 10);
const MB = Number(process.env.BENCH_REG_MB ?? 50);
const ROUNDS = Number(process.env.BENCH_REG_ROUNDS ?? 5);
const MANIFEST_GETS = 2000;
const GO_REGISTRY = '/usr/bin/docker-registry';
const CURL = '/usr/bin/curl';

const REGISTRIES = {
  'Go registry': (config) => spawn(GO_REGISTRY, ['serve', config], { stdio: ['ignore', 'ignore', 'inherit'] }),
  'berth-registry': (config) => spawn(process.execPath, [join(repo, 'packages/registry/dist/bin/berth-registry.js'), 'serve', config], { stdio: ['ignore', 'ignore', 'ignore'] }),
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
  // The Go registry's access log would cost it a line per request: both run without one.
  const log = name === 'Go registry' ? 'log:\n  level: error\n  accesslog:\n    disabled: true\n' : '';
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

/** Runs `work` over every item with `clients` at a time; returns the seconds it took. */
async function timedConcurrently(items, clients, work) {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function throughput(name, work, blobs, clients) {
  const registry = await startRegistry(name, work);
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: clients });
    const bytes = blobs.reduce((sum, b) => sum + b.size, 0);
    const pushSeconds = await timedConcurrently(blobs, clients, (blob) => pushBlob(agent, registry.host, 'bench/blobs', blob));
    const pullSeconds = await timedConcurrently(blobs, clients, async (blob) => {
      const answer = await exchange(agent, registry.host, 'GET', `/v2/bench/blobs/blobs/${blob.digest}`);
      expectStatus(answer, 200, 'pull');
    });
    agent.destroy();
    const curlSeconds = existsSync(CURL) ? await curlPull(registry.host, blobs, clients) : undefined;
    return { push: bytes / 1e6 / pushSeconds, pull: bytes / 1e6 / pullSeconds, curlPull: curlSeconds && bytes / 1e6 / curlSeconds };
  } finally {
    await registry.stop();
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

async function manifestLatency(name, work, blob) {
  const registry = await startRegistry(name, work);
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await pushBlob(agent, registry.host, 'bench/manifest', blob);
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    // POST then PUT, as for the layers: the Go registry 2.8 has no single-POST upload.
    const configPath = join(work, 'config.json');
    await writeFile(configPath, config);
    await pushBlob(agent, registry.host, 'bench/manifest', { path: configPath, size: config.length, digest: configDigest });
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: blob.digest, size: blob.size }],
    });
    expectStatus(await exchange(agent, registry.host, 'PUT', '/v2/bench/manifest/manifests/latest', { body: manifest, headers: { 'Content-Type': mediaType } }), 201, 'manifest');
    const latencies = [];
    for (let i = 0; i < MANIFEST_GETS; i++) {
      const started = process.hrtime.bigint();
      const answer = await exchange(agent, registry.host, 'GET', '/v2/bench/manifest/manifests/latest', { headers: { Accept: mediaType } });
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      expectStatus(answer, 200, 'manifest GET');
    }
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return { p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] };
  } finally {
    await registry.stop();
  }
}

/**
 * Every figure of every registry once, each measurement taken of one registry right after the other,
 * in the order given (it alternates between rounds: the second to run may find the first's dirty
 * pages still being written back).
 */
async function measureRound(names, order, work, blobs) {
  const rows = [];
  for (const clients of [1, 8]) {
    const figures = {};
    for (const name of order) figures[name] = await throughput(name, work, blobs, clients);
    rows.push({ what: `push, ${clients} client${clients > 1 ? 's' : ''} (MB/s)`, values: Object.fromEntries(names.map((n) => [n, figures[n].push])) });
    rows.push({ what: `pull, ${clients} client${clients > 1 ? 's' : ''} (MB/s)`, values: Object.fromEntries(names.map((n) => [n, figures[n].pull])) });
    if (figures[names[0]].curlPull !== undefined) {
      rows.push({ what: `pull by curl, ${clients} client${clients > 1 ? 's' : ''} (MB/s)`, values: Object.fromEntries(names.map((n) => [n, figures[n].curlPull])) });
    }
  }
  const latency = {};
  for (const name of order) latency[name] = await manifestLatency(name, work, blobs[0]);
  rows.push({ what: 'manifest GET p50 (ms)', values: Object.fromEntries(names.map((n) => [n, latency[n].p50])) });
  rows.push({ what: 'manifest GET p99 (ms)', values: Object.fromEntries(names.map((n) => [n, latency[n].p99])) });
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
