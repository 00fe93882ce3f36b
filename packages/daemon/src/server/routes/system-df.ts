import type { FastifyPluginAsync } from 'fastify';
import { SystemDfQuerySchema, type SystemDfQuery } from '@berth/api';
import type { Engine } from '../engine.js';

/** GET /system/df: what images, containers and volumes use; `type` limits the answer to some of them. */
export function systemDfRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: SystemDfQuery }>('/system/df', { schema: { querystring: SystemDfQuerySchema } }, async (request) => {
      const types = request.query.type;
      return engine.diskUsage.usage(types === undefined ? undefined : [types].flat());
    });
  };
}
