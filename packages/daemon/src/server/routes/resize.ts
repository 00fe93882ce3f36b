import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine.js';
import { queryInt } from '../query.js';

/** POST /containers/{id}/resize?h=&w=: the TTY's window size, forwarded to conmon. */
export function resizeRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { id: string } }>('/containers/:id/resize', async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      await engine.containers.resize(request.params.id, queryInt(query.h, 'h') ?? 0, queryInt(query.w, 'w') ?? 0);
      return reply.status(200).send();
    });
  };
}
