import type { FastifyInstance } from 'fastify';
import { RegistryHttpError, sendError } from './error-body.js';

/**
 * Once the server is closing, a request that arrives on a connection still open (keep-alive,
 * pipelined) is answered 503 UNAVAILABLE with the spec's error body and `Connection: close`, where
 * fastify's own answer (`return503OnClosing`) has another shape. Requests already in flight finish.
 */
export function refuseWhileStopping(app: FastifyInstance): void {
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!stopping) return;
    void reply.header('Connection', 'close');
    return sendError(reply, new RegistryHttpError(503, 'UNAVAILABLE', 'the registry is stopping'));
  });
}
