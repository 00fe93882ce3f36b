import type { FastifyPluginAsync } from 'fastify';
import { IdParamsSchema, ResizeQuerySchema, UnreadBodySchema, type IdParams, type ResizeQuery } from '@berth/api';
import type { Engine } from '../engine.js';
import { queryInt } from '../query.js';

/** POST /containers/{id}/resize?h=&w=: the TTY's window size, forwarded to conmon. */
export function resizeRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const resizeSchema = { params: IdParamsSchema, querystring: ResizeQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ResizeQuery }>('/containers/:id/resize', { schema: resizeSchema }, async (request, reply) => {
      const query = request.query;
      await engine.io.resize(request.params.id, queryInt(query.h, 'h') ?? 0, queryInt(query.w, 'w') ?? 0);
      return reply.status(200).send();
    });
  };
}
