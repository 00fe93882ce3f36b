import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdir, readdir, rm, stat, symlink } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run } from './harness.js';
import { freePort, startRegistry, writeHtpasswd, type TestRegistry } from './registry-harness.js';
import { httpsGet, startTlsRegistry, tlsClient } from './registry-tls.js';

/** A `--dest-cert-dir` for skopeo: the CA as `ca.crt`, and the client certificate when `withCertificate`. */
async function skopeoCertDir(work: string, withCertificate: boolean): Promise<string> {
  const dir = join(work, 'skopeo-certs');
  await mkdir(dir);
  await copyFile(join(work, 'ca.pem'), join(dir, 'ca.crt'));
  if (withCertificate) {
    await copyFile(join(work, 'client.pem'), join(dir, 'client.cert'));
    await copyFile(join(work, 'client.key'), join(dir, 'client.key'));
  }
  return dir;
}

describe('berth-registry over TLS (http.tls)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startTlsRegistry(false);
  });
  afterAll(() => registry?.stop());

  it('takes a push from skopeo that trusts the CA (--dest-cert-dir) and answers HTTPS', async () => {
    const push = await run('skopeo', ['copy', '--dest-cert-dir', await skopeoCertDir(registry.work, false), `docker-archive:${await busyboxArchive()}`, `docker://${registry.host}/library/busybox:tls`]);
    expect(push.code, push.stderr).toBe(0);
    expect(await httpsGet(registry.host, '/v2/library/busybox/manifests/tls', await tlsClient(registry.work, false))).toBe(200);
  });

  it('refuses a client that does not trust its certificate, and answers plain HTTP with Go\'s 400', async () => {
    await expect(httpsGet(registry.host, '/v2/', { ca: Buffer.from('') })).rejects.toThrow();
    const plain = await run('curl', ['-sS', '-i', `http://${registry.host}/v2/`]);
    expect(plain.stdout).toBe('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    const skopeo = await run('skopeo', ['inspect', `docker://${registry.host}/library/busybox:tls`]);
    expect(skopeo.code).not.toBe(0);
    expect(skopeo.stderr).toMatch(/certificate/);
  });
});

describe('berth-registry requiring client certificates (http.tls.clientcas)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startTlsRegistry(true);
  });
  afterAll(() => registry?.stop());

  it('refuses a client without a certificate at the handshake', async () => {
    await expect(httpsGet(registry.host, '/v2/', await tlsClient(registry.work, false))).rejects.toThrow();
    const curl = await run('curl', ['-sS', '--cacert', join(registry.work, 'ca.pem'), `https://${registry.host}/v2/`]);
    expect(curl.code).not.toBe(0);
  });

  it('serves a client whose certificate the CA signed: node, curl and skopeo', async () => {
    const { work, host } = registry;
    expect(await httpsGet(host, '/v2/', await tlsClient(work, true))).toBe(200);
    const curl = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(work, 'ca.pem'), '--cert', join(work, 'client.pem'), '--key', join(work, 'client.key'), `https://${host}/v2/`]);
    expect(curl.stdout).toBe('200');
    const push = await run('skopeo', ['copy', '--dest-cert-dir', await skopeoCertDir(work, true), `docker-archive:${await busyboxArchive()}`, `docker://${host}/library/busybox:mtls`]);
    expect(push.code, push.stderr).toBe(0);
  });
});

/** Resolves once `text` appears in what `read` returns (the registry's output). */
async function printed(read: () => string, text: string): Promise<void> {
  for (let attempt = 0; attempt < 300 && !read().includes(text); attempt++) await sleep(50);
  expect(read()).toContain(text);
}

/** Resolves once an upload's first bytes are in the registry's storage: the request is in flight. */
async function uploadStreaming(dataRoot: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const files = (await readdir(dataRoot, { recursive: true }).catch(() => [])).map(String);
    const data = files.filter((file) => file.includes('_uploads') && file.endsWith('/data'));
    const sizes = await Promise.all(data.map((file) => stat(join(dataRoot, file)).then((info) => info.size, () => 0)));
    if (sizes.some((size) => size > 0)) return;
    await sleep(50);
  }
  throw new Error('the upload did not reach the storage');
}

/** A monolithic blob upload whose body the test writes chunk by chunk; `answer` is its status, or the error that cut it. */
function streamedUpload(host: string, name: string, digest: string): { req: ClientRequest; answer: Promise<number> } {
  const [hostname, port] = host.split(':');
  const req = httpRequest({ hostname, port: Number(port), method: 'POST', path: `/v2/${name}/blobs/uploads/?digest=${digest}`, headers: { 'Content-Type': 'application/octet-stream' } });
  const answer = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  return { req, answer };
}

describe('berth-registry stopping (SIGTERM, http.draintimeout)', () => {
  const chunks = [Buffer.alloc(64 * 1024, 'a'), Buffer.alloc(64 * 1024, 'b')];
  const digest = `sha256:${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`;
  const stopped: TestRegistry[] = [];
  afterAll(async () => {
    for (const registry of stopped.reverse()) await registry.stop();
  });

  it('finishes an upload still streaming when SIGTERM comes, refuses new connections, exits 0, and keeps the blob', async () => {
    const registry = await startRegistry(() => '', { http: () => '  draintimeout: 60s\n' });
    stopped.push(registry);
    const upload = streamedUpload(registry.host, 'drain/app', digest);
    upload.req.write(chunks[0]);
    await uploadStreaming(registry.dataRoot);
    const exited = once(registry.child, 'exit');
    registry.child.kill('SIGTERM');
    await printed(registry.stderr, 'stopping: finishing the requests in flight');
    await expect(fetch(`http://${registry.host}/v2/`)).rejects.toThrow();
    upload.req.end(chunks[1]);
    expect(await upload.answer).toBe(201);
    expect(await exited).toEqual([0, null]);

    const restarted = await startRegistry(() => '', { dataRoot: registry.dataRoot });
    stopped.push(restarted);
    const head = await fetch(`http://${restarted.host}/v2/drain/app/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(128 * 1024));
  });

  it('cuts an upload that stalls past http.draintimeout and still exits 0', async () => {
    const registry = await startRegistry(() => '', { http: () => '  draintimeout: 300ms\n' });
    stopped.push(registry);
    const upload = streamedUpload(registry.host, 'drain/stalled', digest);
    upload.req.write(chunks[0]);
    await uploadStreaming(registry.dataRoot);
    const cut = expect(upload.answer).rejects.toThrow();
    const exited = once(registry.child, 'exit');
    registry.child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    await cut;
    expect(registry.stderr()).toContain('drain timeout reached');
  });
});

const BASIC_ALICE = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('berth-registry logs (log.*)', () => {
  const registries: TestRegistry[] = [];
  afterAll(async () => {
    for (const registry of registries) await registry.stop();
  });

  it('writes one JSON access line per request on stdout, with the user, the bytes and log.fields', async () => {
    const registry = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: r\n    path: ${await writeHtpasswd(work, 'alice', 'secret')}\nlog:\n  fields:\n    service: berth-test\n`);
    registries.push(registry);
    const blob = Buffer.alloc(5000, 'z');
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const pushed = await fetch(`http://${registry.host}/v2/logs/app/blobs/uploads/?digest=${digest}`, { method: 'POST', body: blob, headers: { Authorization: BASIC_ALICE('secret'), 'Content-Type': 'application/octet-stream' } });
    expect(pushed.status).toBe(201);
    expect((await fetch(`http://${registry.host}/v2/logs/app/tags/list?n=1`)).status).toBe(401);
    await printed(registry.stdout, '"path":"/v2/logs/app/tags/list"');

    const lines = jsonLines(registry.stdout());
    const push = lines.find((line) => line.method === 'POST')!;
    expect(push).toMatchObject({ level: 'info', msg: 'request', service: 'berth-test', path: '/v2/logs/app/blobs/uploads/', handler: 'blob_upload', status: 201, user: 'alice', remoteAddress: '127.0.0.1' });
    expect(push.bytesReceived).toBeGreaterThan(5000);
    expect(push.bytesSent).toBeGreaterThan(0);
    expect(push.durationMs).toEqual(expect.any(Number));
    const refused = lines.find((line) => line.path === '/v2/logs/app/tags/list')!;
    expect(refused).toMatchObject({ method: 'GET', status: 401, handler: 'tags' });
    expect(refused).not.toHaveProperty('user');
    const own = jsonLines(registry.stderr().split('\n').filter((line) => line.startsWith('{')).join('\n'));
    expect(own.find((line) => String(line.msg).startsWith('Server listening'))).toMatchObject({ level: 'info', service: 'berth-test' });
  });

  it('writes text lines at log.level and no access log when log.accesslog.disabled is true', async () => {
    const registry = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: r\n    path: ${await writeHtpasswd(work, 'alice', 'secret')}\nlog:\n  level: warn\n  formatter: text\n  accesslog:\n    disabled: true\n`);
    registries.push(registry);
    expect((await fetch(`http://${registry.host}/v2/`, { headers: { Authorization: BASIC_ALICE('wrong') } })).status).toBe(401);
    await printed(registry.stderr, 'authentication failed');
    expect(registry.stderr()).toMatch(/^level=warning time=\S+ pid=\d+ .*user=alice msg="authentication failed"$/m);
    expect(registry.stderr()).not.toContain('Server listening');
    expect(registry.stdout()).toBe('');
  });
});

describe('berth-registry health (http.debug, health.storagedriver)', () => {
  let registry: TestRegistry;
  let debug = '';

  beforeAll(async () => {
    const port = await freePort();
    debug = `127.0.0.1:${port}`;
    registry = await startRegistry(() => 'health:\n  storagedriver:\n    enabled: true\n    interval: 100ms\n    threshold: 2\n', { http: () => `  debug:\n    addr: ${debug}\n` });
  });
  afterAll(() => registry?.stop());

  async function healthAnswer(): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://${debug}/debug/health`);
    return { status: res.status, body: await res.json() };
  }

  async function untilHealth(status: number): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const answer = await healthAnswer();
      if (answer.status === status) return answer;
      await sleep(50);
    }
    return healthAnswer();
  }

  it('answers 200 {} while the storage answers, then 503 naming the failing check, the API 503 UNAVAILABLE as Go, then recovers', async () => {
    expect(await healthAnswer()).toEqual({ status: 200, body: {} });
    expect((await fetch(`http://${registry.host}/v2/`)).status).toBe(200);

    // A symlink to itself: stat fails with ELOOP, an error that is not "absent".
    await rm(registry.dataRoot, { recursive: true, force: true });
    await symlink(registry.dataRoot, registry.dataRoot);
    const failing = await untilHealth(503);
    expect(failing.status).toBe(503);
    expect(failing.body).toEqual({ storagedriver_filesystem: expect.stringContaining('ELOOP') });
    const refused = await fetch(`http://${registry.host}/v2/`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable', detail: 'health check failed: please see /debug/health' }] });

    await rm(registry.dataRoot);
    expect(await untilHealth(200)).toEqual({ status: 200, body: {} });
    expect((await fetch(`http://${registry.host}/v2/`)).status).toBe(200);
  });

  it('serves no metrics unless http.debug.prometheus.enabled is true', async () => {
    expect((await fetch(`http://${debug}/metrics`)).status).toBe(404);
  });
});

describe('berth-registry metrics (http.debug.prometheus)', () => {
  let registry: TestRegistry;
  let debug = '';

  beforeAll(async () => {
    debug = `127.0.0.1:${await freePort()}`;
    registry = await startRegistry(() => '', { http: () => `  debug:\n    addr: ${debug}\n    prometheus:\n      enabled: true\n      path: /prom\n` });
  });
  afterAll(() => registry?.stop());

  async function scrape(): Promise<string> {
    const curl = await run('curl', ['-sS', '-D', '-', `http://${debug}/prom`]);
    expect(curl.code, curl.stderr).toBe(0);
    expect(curl.stdout).toMatch(/content-type: text\/plain; version=0\.0\.4/i);
    return curl.stdout;
  }

  it('counts requests by code, handler and method as Go names them, with durations, sizes, uploads in progress and process metrics', async () => {
    const chunks = [Buffer.alloc(32 * 1024, 'm'), Buffer.alloc(32 * 1024, 'n')];
    const digest = `sha256:${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`;
    const upload = streamedUpload(registry.host, 'metrics/app', digest);
    upload.req.write(chunks[0]);
    await uploadStreaming(registry.dataRoot);
    const streaming = await scrape();
    expect(streaming).toMatch(/^registry_uploads_in_progress 1$/m);
    expect(streaming).toMatch(/^registry_http_in_flight_requests\{handler="blob_upload"\} 1$/m);
    upload.req.end(chunks[1]);
    expect(await upload.answer).toBe(201);
    expect((await fetch(`http://${registry.host}/v2/metrics/app/manifests/absent`)).status).toBe(404);

    const text = await scrape();
    expect(text).toMatch(/^registry_uploads_in_progress 0$/m);
    expect(text).toMatch(/^registry_http_requests_total\{code="201",handler="blob_upload",method="post"\} 1$/m);
    expect(text).toMatch(/^registry_http_requests_total\{code="404",handler="manifest",method="get"\} 1$/m);
    expect(text).toMatch(/^registry_http_request_duration_seconds_count\{handler="blob_upload",method="post"\} 1$/m);
    const received = /^registry_http_request_size_bytes_sum\{handler="blob_upload"\} (\d+)$/m.exec(text);
    expect(Number(received?.[1])).toBeGreaterThan(64 * 1024);
    expect(text).toMatch(/^registry_http_response_size_bytes_count\{handler="manifest"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});

/** One request with a body, answered: status and the error code of the body, if any. */
function requestWithBody(host: string, method: string, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; code?: string }> {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port: Number(port), method, path, headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        resolve({ status: res.statusCode ?? 0, code: text ? (JSON.parse(text) as { errors: Array<{ code: string }> }).errors[0]?.code : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('berth-registry request body limits (http.limits)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(() => '', { http: () => '  limits:\n    manifestsize: 2048\n    blobsize: 100000\n' });
  });
  afterAll(() => registry?.stop());

  it('refuses a body on GET with 400 UNSUPPORTED, and ignores one on DELETE as Go', async () => {
    expect(await requestWithBody(registry.host, 'GET', '/v2/limits/app/tags/list', 'a body')).toEqual({ status: 400, code: 'UNSUPPORTED' });
    expect(await requestWithBody(registry.host, 'DELETE', '/v2/limits/app/manifests/latest', 'a body')).toEqual({ status: 404, code: 'MANIFEST_UNKNOWN' });
  });

  it('refuses a manifest over http.limits.manifestsize with 413 SIZE_INVALID', async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: { padding: 'p'.repeat(3000) } });
    expect(await requestWithBody(registry.host, 'PUT', '/v2/limits/app/manifests/big', manifest, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })).toEqual({ status: 413, code: 'SIZE_INVALID' });
  });

  it('refuses a blob whose Content-Length passes http.limits.blobsize at once, and a streamed one as soon as it passes', async () => {
    const declared = await requestWithBody(registry.host, 'POST', `/v2/limits/app/blobs/uploads/?digest=sha256:${'0'.repeat(64)}`, Buffer.alloc(100_001), { 'Content-Type': 'application/octet-stream' });
    expect(declared).toEqual({ status: 413, code: 'SIZE_INVALID' });

    const upload = streamedUpload(registry.host, 'limits/app', `sha256:${'1'.repeat(64)}`);
    upload.req.write(Buffer.alloc(64 * 1024));
    upload.req.write(Buffer.alloc(64 * 1024));
    // The body never ends: the answer comes once the limit is passed.
    expect(await upload.answer).toBe(413);
    upload.req.destroy();
  });
});

describe('berth-registry rate limit (http.ratelimit)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    // One HEAD per 100 seconds: the second comes long before the bucket refills, however slow the machine.
    registry = await startRegistry(() => '', { http: () => '  ratelimit:\n    methods:\n      - method: HEAD\n        rate: 0.01\n  headers:\n    X-Content-Type-Options: [nosniff]\n' });
  });
  afterAll(() => registry?.stop());

  it('answers 429 TOOMANYREQUESTS with Retry-After past a method\'s rate, serves other methods, with http.headers on each', async () => {
    expect((await fetch(`http://${registry.host}/v2/`, { method: 'HEAD' })).status).toBe(200);
    const curl = await run('curl', ['-sS', '-I', `http://${registry.host}/v2/`]);
    expect(curl.stdout).toMatch(/^HTTP\/1\.1 429 Too Many Requests/);
    expect(curl.stdout).toMatch(/^x-content-type-options: nosniff\r?$/im);
    const retryAfter = Number(/^retry-after: (\d+)/im.exec(curl.stdout)?.[1]);
    expect(retryAfter).toBeGreaterThan(1);
    expect(retryAfter).toBeLessThanOrEqual(100);
    const get = await fetch(`http://${registry.host}/v2/limited/tags/list`);
    expect(get.status).toBe(404);
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await get.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('NAME_UNKNOWN');
    await printed(registry.stdout, '"status":429');
  });
});
