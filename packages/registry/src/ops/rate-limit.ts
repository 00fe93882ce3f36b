import type { FastifyInstance } from 'fastify';
import type { RateLimitConfig } from '../config-http.js';
import { sendError } from '../http/error-body.js';
import { RegistryError } from '../registry-error.js';

// Buckets idle long enough to be full again are dropped this often, so one bucket per client seen does not pile up.
const SWEEP_MS = 60_000;

/**
 * Token buckets, one per key: `rate` tokens a second, a second's worth (at least one) at most, as
 * zot's limiter (tollbooth) keeps them. `take` spends a token, or says how many seconds until one is there.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly capacity: number;

  constructor(private readonly rate: number) {
    this.capacity = Math.max(1, rate);
  }

  /** 0 when the request may go ahead, else the whole seconds to wait (for `Retry-After`). */
  take(key: string, now: number): number {
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }

  sweep(now: number): void {
    for (const key of this.buckets.keys()) if (this.refilled(key, now).tokens >= this.capacity) this.buckets.delete(key);
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}

/**
 * `http.ratelimit`: per client address, `rate` requests a second overall and each method's own rate;
 * a request over either is answered 429 TOOMANYREQUESTS with `Retry-After`.
 */
export function limitRequestRate(app: FastifyInstance, config: RateLimitConfig, clock: () => number = Date.now): void {
  const overall = config.rate === undefined ? undefined : new TokenBuckets(config.rate);
  const byMethod = new Map(Object.entries(config.methods).map(([method, rate]) => [method, new TokenBuckets(rate)]));
  const all = [...(overall ? [overall] : []), ...byMethod.values()];
  const sweep = setInterval(() => all.forEach((buckets) => buckets.sweep(clock())), SWEEP_MS).unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  app.addHook('onRequest', async (request, reply) => {
    const now = clock();
    const wait = Math.max(overall?.take(request.ip, now) ?? 0, byMethod.get(request.method)?.take(request.ip, now) ?? 0);
    if (wait === 0) return;
    void reply.header('Retry-After', String(wait));
    return sendError(reply, new RegistryError('TOOMANYREQUESTS', 'too many requests', { retryAfterSeconds: wait }));
  });
}
