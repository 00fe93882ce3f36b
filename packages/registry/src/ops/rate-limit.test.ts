import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryServer } from '../http/registry-routes.js';
import { MemoryBackend } from '../http/test-support/memory-backend.js';
import { limitRequestRate, TokenBuckets } from './rate-limit.js';

describe('TokenBuckets', () => {
  it('lets a second\'s worth through at once, then one per 1/rate seconds, per key', () => {
    const buckets = new TokenBuckets(2);
    expect([buckets.take('a', 0), buckets.take('a', 0), buckets.take('a', 0)]).toEqual([0, 0, 1]);
    expect(buckets.take('b', 0)).toBe(0);
    expect(buckets.take('a', 500)).toBe(0);
    expect(buckets.take('a', 500)).toBe(1);
  });

  it('holds one token when the rate is below one a second, and says how long until the next', () => {
    const buckets = new TokenBuckets(0.1);
    expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBe(10);
    expect(buckets.take('a', 4000)).toBe(6);
    expect(buckets.take('a', 10_000)).toBe(0);
  });

  it('forgets the buckets that are full again', () => {
    const buckets = new TokenBuckets(1);
    buckets.take('a', 0);
    buckets.sweep(5000);
    expect((buckets as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(0);
  });
});

describe('limitRequestRate', () => {
  let app: FastifyInstance;
  afterEach(() => app.close());

  it('answers 429 TOOMANYREQUESTS with Retry-After over the overall or the method rate', async () => {
    let now = 0;
    app = createRegistryServer(new MemoryBackend(), { logLevel: 'silent' });
    limitRequestRate(app, { rate: 3, methods: { HEAD: 1 } }, () => now);
    expect((await app.inject({ method: 'HEAD', url: '/v2/' })).statusCode).toBe(200);
    const head = await app.inject({ method: 'HEAD', url: '/v2/' });
    expect(head.statusCode).toBe(429);
    expect(head.headers['retry-after']).toBe('1');
    expect((await app.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(200);
    const get = await app.inject({ method: 'GET', url: '/v2/' });
    expect(get.statusCode).toBe(429);
    expect(get.json()).toEqual({ errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests', detail: { retryAfterSeconds: 1 } }] });
    now = 1000;
    expect((await app.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(200);
  });
});
