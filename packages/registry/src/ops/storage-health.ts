import type { FastifyInstance } from 'fastify';
import { RegistryHttpError, sendError } from '../http/error-body.js';
import type { HealthConfig } from '../config-ops.js';
import type { StorageDriver } from '../storage/storage-driver.js';

/** Failing checks by name, with their error; empty when healthy (the body of Go's `/debug/health`). */
export type HealthStatus = Record<string, string>;

/**
 * Go's `health.storagedriver` check: every interval, a stat of the storage root (absent is fine, an
 * error is not); the check fails after `threshold` failures in a row and passes again at the first success.
 */
export class StorageHealthCheck {
  private failures = 0;
  private error: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly name: string;

  constructor(
    private readonly driver: StorageDriver,
    private readonly config: HealthConfig,
  ) {
    this.name = `storagedriver_${driver.name}`;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.config.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    try {
      await this.driver.stat('/');
      this.failures = 0;
      this.error = undefined;
    } catch (err) {
      this.failures += 1;
      if (this.failures >= Math.max(this.config.threshold, 1)) this.error = (err as Error).message;
    }
  }

  status(): HealthStatus {
    return this.error === undefined ? {} : { [this.name]: this.error };
  }
}

/** As Go's health handler in front of the API: while a check fails, every request is answered 503 UNAVAILABLE. */
export function refuseWhileUnhealthy(app: FastifyInstance, status: () => HealthStatus): void {
  app.addHook('onRequest', async (_request, reply) => {
    if (Object.keys(status()).length > 0) return sendError(reply, new RegistryHttpError(503, 'UNAVAILABLE', 'service unavailable', 'health check failed: please see /debug/health'));
  });
}
