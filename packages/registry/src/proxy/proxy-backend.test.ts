import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { RegistryClient } from '@berth/distribution';
import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuth } from '../http/auth/open-auth.js';
import { createRegistryServer } from '../http/registry-routes.js';
import { FilesystemDriver } from '../storage/filesystem-driver.js';
import { StorageBackend } from '../storage/backend.js';
import { makeBackend, pushBlob, pushImage, type BackendFixture } from '../storage/test-support/backend-fixture.js';
import { CacheExpiry, EXPIRY_STATE_PATH } from './cache-expiry.js';
import { evict, ProxyBackend } from './proxy-backend.js';

// A real upstream registry (ours, over HTTP on loopback) and a cache in front of it, both over the filesystem driver.
let upstreamStore: BackendFixture;
let cacheStore: BackendFixture;
let upstream: FastifyInstance;
let upstreamUrl: string;
let cache: FastifyInstance;
let local: StorageBackend;
let expiry: CacheExpiry | undefined;
const logged: string[] = [];

let clock = 0;

async function startCache(ttlMs = 0, credentials?: { username: string; password: string }): Promise<void> {
  local = new StorageBackend(new FilesystemDriver(cacheStore.root), { deleteEnabled: true, requireReferences: false });
  expiry = ttlMs > 0 ? new CacheExpiry(local.driver, ttlMs, (entry) => evict(local, entry), (line) => logged.push(line), () => clock) : undefined;
  await expiry?.start();
  const backend = new ProxyBackend(local, new RegistryClient({ url: upstreamUrl, ...(credentials && { credentials }) }), { log: (line) => logged.push(line), ...(expiry && { expiry }) });
  cache = createRegistryServer(backend, { logLevel: 'silent' });
}

beforeEach(async () => {
  logged.length = 0;
  upstreamStore = await makeBackend(true);
  cacheStore = await makeBackend();
  upstream = createRegistryServer(upstreamStore.backend, { logLevel: 'silent', deleteEnabled: true });
  upstreamUrl = await upstream.listen({ host: '127.0.0.1', port: 0 });
  await startCache();
});

afterEach(async () => {
  await expiry?.stop();
  await cache.close();
  await upstream.close();
  await upstreamStore.cleanup();
  await cacheStore.cleanup();
});

async function untilCached(repository: string, digest: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && !(await local.statBlob(repository, digest)); attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('pull-through cache', () => {
  it('fetches a tag and its blobs from upstream, caches them, and serves them when upstream is gone', async () => {
    const { digest, content } = await pushImage(upstreamStore.backend, 'library/app', 'latest', 'v1');
    const layer = sha256Digest('layer of v1');

    const manifest = await cache.inject({ method: 'GET', url: '/v2/library/app/manifests/latest', headers: { accept: MediaTypes.OciManifest } });
    expect(manifest.statusCode).toBe(200);
    expect(manifest.headers['docker-content-digest']).toBe(digest);
    expect(manifest.rawPayload.equals(content)).toBe(true);
    const blob = await cache.inject({ method: 'GET', url: `/v2/library/app/blobs/${layer}` });
    expect(blob.statusCode).toBe(200);
    expect(blob.body).toBe('layer of v1');
    await untilCached('library/app', layer);

    await upstream.close();
    const offline = await cache.inject({ method: 'GET', url: '/v2/library/app/manifests/latest', headers: { accept: MediaTypes.OciManifest } });
    expect(offline.statusCode).toBe(200);
    expect(offline.headers['docker-content-digest']).toBe(digest);
    expect((await cache.inject({ method: 'GET', url: `/v2/library/app/blobs/${layer}` })).body).toBe('layer of v1');
    expect((await cache.inject({ method: 'GET', url: '/v2/library/app/manifests/other' })).statusCode).toBe(404);
    expect(logged.some((line) => line.includes('upstream unreachable'))).toBe(true);
  });

  it('follows a tag that moved upstream', async () => {
    await pushImage(upstreamStore.backend, 'app', 'latest', 'v1');
    await cache.inject({ method: 'GET', url: '/v2/app/manifests/latest' });
    const { digest } = await pushImage(upstreamStore.backend, 'app', 'latest', 'v2');
    const moved = await cache.inject({ method: 'GET', url: '/v2/app/manifests/latest' });
    expect(moved.headers['docker-content-digest']).toBe(digest);
    expect((await local.getManifest('app', 'latest')).digest).toBe(digest);
  });

  it('streams a large blob to the client while caching it, byte for byte', async () => {
    const data = randomBytes(8 * 1024 * 1024 + 17);
    const digest = await pushBlob(upstreamStore.backend, 'big', data);
    const address = await cache.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${address}/v2/big/blobs/${digest}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(data.length));
    expect(sha256Digest(Buffer.from(await response.arrayBuffer()))).toBe(digest);
    await untilCached('big', digest);
    expect((await local.statBlob('big', digest))?.size).toBe(data.length);
  });

  it('finishes caching a blob whose client hung up midway', async () => {
    const data = randomBytes(16 * 1024 * 1024);
    const digest = await pushBlob(upstreamStore.backend, 'big', data);
    const address = await cache.listen({ host: '127.0.0.1', port: 0 });
    const aborter = new AbortController();
    const response = await fetch(`${address}/v2/big/blobs/${digest}`, { signal: aborter.signal });
    const reader = response.body!.getReader();
    await reader.read();
    aborter.abort();
    await reader.closed.catch(() => undefined);
    await untilCached('big', digest);
    expect((await local.statBlob('big', digest))?.size).toBe(data.length);
  });

  it('serves a blob it cannot cache (its storage refuses writes), logging why', async () => {
    const digest = await pushBlob(upstreamStore.backend, 'app', 'uncacheable');
    await cache.close();
    const readOnly = new StorageBackend(new FilesystemDriver(cacheStore.root), { deleteEnabled: true, requireReferences: false, readOnly: true });
    cache = createRegistryServer(new ProxyBackend(readOnly, new RegistryClient({ url: upstreamUrl }), { log: (line) => logged.push(line) }), { logLevel: 'silent' });
    expect((await cache.inject({ method: 'GET', url: `/v2/app/blobs/${digest}` })).body).toBe('uncacheable');
    for (let attempt = 0; attempt < 100 && !logged.some((line) => line.includes('caching blob')); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logged.find((line) => line.includes('caching blob'))).toMatch(/read-only mode/);
  });

  it('passes a range through without caching it', async () => {
    const digest = await pushBlob(upstreamStore.backend, 'app', '0123456789');
    const range = await cache.inject({ method: 'GET', url: `/v2/app/blobs/${digest}`, headers: { range: 'bytes=2-5' } });
    expect(range.statusCode).toBe(206);
    expect(range.body).toBe('2345');
    expect(await local.statBlob('app', digest)).toBeUndefined();
  });

  it('does not cache a blob whose upstream content does not match its digest', async () => {
    const digest = await pushBlob(upstreamStore.backend, 'app', 'honest bytes');
    const hex = digest.slice('sha256:'.length);
    await writeFile(join(upstreamStore.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'), 'forged bytes');
    const address = await cache.listen({ host: '127.0.0.1', port: 0 });
    // The client never gets the forged bytes as a complete answer: an error status, or a connection cut short.
    const answer = await fetch(`${address}/v2/app/blobs/${digest}`).then(
      async (response) => `${response.status} ${Buffer.from(await response.arrayBuffer()).toString()}`,
      () => 'cut',
    ).catch(() => 'cut');
    expect(answer).not.toBe('200 forged bytes');
    for (let attempt = 0; attempt < 100 && !logged.some((line) => line.includes('caching blob')); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await local.statBlob('app', digest)).toBeUndefined();
  });

  it('answers what upstream lacks with the spec codes, and refuses pushes and deletions', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const noTag = await cache.inject({ method: 'GET', url: '/v2/app/manifests/nope' });
    expect([noTag.statusCode, noTag.json().errors[0].code]).toEqual([404, 'MANIFEST_UNKNOWN']);
    const noBlob = await cache.inject({ method: 'GET', url: `/v2/app/blobs/${missing}` });
    expect([noBlob.statusCode, noBlob.json().errors[0].code]).toEqual([404, 'BLOB_UNKNOWN']);
    const noRepo = await cache.inject({ method: 'GET', url: '/v2/nothing/tags/list' });
    expect([noRepo.statusCode, noRepo.json().errors[0].code]).toEqual([404, 'NAME_UNKNOWN']);
    for (const [method, url] of [['POST', '/v2/app/blobs/uploads/'], ['PUT', '/v2/app/manifests/latest'], ['DELETE', `/v2/app/manifests/${missing}`]] as const) {
      const refused = await cache.inject({ method, url, headers: { 'content-type': MediaTypes.OciManifest }, payload: '{}' });
      expect([refused.statusCode, refused.json().errors[0].code], `${method} ${url}`).toEqual([405, 'UNSUPPORTED']);
    }
  });

  it('lists the upstream tags, and the cached ones when upstream is gone', async () => {
    await pushImage(upstreamStore.backend, 'app', 'b', 'v1');
    await pushImage(upstreamStore.backend, 'app', 'a', 'v2');
    expect((await cache.inject({ method: 'GET', url: '/v2/app/tags/list' })).json()).toEqual({ name: 'app', tags: ['a', 'b'] });
    await cache.inject({ method: 'GET', url: '/v2/app/manifests/a' });
    await upstream.close();
    expect((await cache.inject({ method: 'GET', url: '/v2/app/tags/list' })).json()).toEqual({ name: 'app', tags: ['a'] });
  });

  it('answers a 502 in the spec shape when upstream is gone and nothing is cached', async () => {
    await upstream.close();
    const res = await cache.inject({ method: 'GET', url: `/v2/app/blobs/sha256:${'1'.repeat(64)}` });
    expect([res.statusCode, res.json().errors[0].code]).toEqual([502, 'UPSTREAM_FAILED']);
  });

  it('expires what it fetched after the ttl, keeping the schedule in storage', async () => {
    await cache.close();
    const hour = 3_600_000;
    clock = Date.now();
    await startCache(hour);
    const { digest } = await pushImage(upstreamStore.backend, 'app', 'latest', 'v1');
    const layer = sha256Digest('layer of v1');
    await cache.inject({ method: 'GET', url: '/v2/app/manifests/latest' });
    await cache.inject({ method: 'GET', url: `/v2/app/blobs/${layer}` });
    await untilCached('app', layer);
    for (let attempt = 0; attempt < 100 && expiry!.scheduled().length < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    await expiry!.stop();
    const state = JSON.parse((await local.driver.getContent(EXPIRY_STATE_PATH)).toString()) as { entries: { kind: string; digest: string; expiresAt: number }[] };
    expect(state.entries.map((entry) => `${entry.kind} ${entry.digest} ${entry.expiresAt - clock}`).sort()).toEqual([`blob ${layer} ${hour}`, `manifest ${digest} ${hour}`].sort());

    clock += hour - 1;
    await expiry!.sweep();
    expect(await local.statBlob('app', layer)).toBeDefined();
    // A restart reads the schedule back; once the hour has passed, both entries leave the cache.
    await cache.close();
    clock += 1;
    await startCache(hour);
    expect(await local.statBlob('app', layer)).toBeUndefined();
    await expect(local.getManifest('app', digest)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    expect(expiry!.scheduled()).toEqual([]);
    // Fetched again on the next pull.
    expect((await cache.inject({ method: 'GET', url: `/v2/app/blobs/${layer}` })).body).toBe('layer of v1');
    for (let attempt = 0; attempt < 100 && expiry!.scheduled().length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
  });
});

describe('pull-through cache of an upstream with token auth', () => {
  it('answers the bearer challenge with its credentials, and fails clearly without them', async () => {
    await upstream.close();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    await writeFile(join(upstreamStore.root, 'htpasswd'), `alice:${bcrypt.hashSync('secret', 4)}\n`);
    await writeFile(join(upstreamStore.root, 'secret'), 's'.repeat(40));
    const auth = await openAuth({
      scheme: 'token',
      realm: `http://127.0.0.1:${port}/auth/token`,
      service: 'upstream',
      issuer: 'upstream-issuer',
      anonymousPull: false,
      secretFile: join(upstreamStore.root, 'secret'),
      issuerHtpasswd: join(upstreamStore.root, 'htpasswd'),
    });
    upstream = createRegistryServer(upstreamStore.backend, { logLevel: 'silent', authorize: auth.authorize });
    void upstream.register(auth.tokenEndpoint!);
    upstreamUrl = await upstream.listen({ host: '127.0.0.1', port });
    const { digest } = await pushImage(upstreamStore.backend, 'app', 'latest', 'v1');

    await cache.close();
    await startCache();
    const refused = await cache.inject({ method: 'GET', url: '/v2/app/manifests/latest' });
    expect([refused.statusCode, refused.json().errors[0].code]).toEqual([502, 'UPSTREAM_FAILED']);
    expect(refused.json().errors[0].message).toMatch(/401/);

    await cache.close();
    await startCache(0, { username: 'alice', password: 'secret' });
    const served = await cache.inject({ method: 'GET', url: '/v2/app/manifests/latest' });
    expect(served.statusCode).toBe(200);
    expect(served.headers['docker-content-digest']).toBe(digest);
    expect((await cache.inject({ method: 'GET', url: `/v2/app/blobs/${sha256Digest('layer of v1')}` })).body).toBe('layer of v1');
    await untilCached('app', sha256Digest('layer of v1'));
  });
});
