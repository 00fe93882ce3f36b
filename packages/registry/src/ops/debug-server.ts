import Fastify, { type FastifyInstance } from 'fastify';
import type { HealthStatus } from './storage-health.js';
import type { RegistryMetrics } from './metrics.js';

export interface DebugServerOptions {
  health: () => HealthStatus;
  /** Served at `prometheusPath` when given. */
  metrics?: RegistryMetrics;
  prometheusPath?: string;
}

/** `http.debug.addr`'s server: `/debug/health` (200 `{}`, or 503 with the failing checks) and the Prometheus metrics. */
export function createDebugServer({ health, metrics, prometheusPath }: DebugServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/debug/health', async (_request, reply) => {
    const failing = health();
    return reply.status(Object.keys(failing).length > 0 ? 503 : 200).send(failing);
  });
  if (metrics && prometheusPath) {
    app.get(prometheusPath, async (_request, reply) => reply.header('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics()));
  }
  return app;
}
