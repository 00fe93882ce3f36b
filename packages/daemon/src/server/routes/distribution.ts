import type { FastifyPluginAsync } from 'fastify';
import { NoQuerySchema, WildcardParamsSchema, type WildcardParams } from '@berth/api';
import type { Engine } from '../engine.js';
import { registryAuth } from '../registry-auth.js';

/** `GET /distribution/{name}/json` (`docker manifest`-style inspection on the registry); names hold slashes, so the path is a wildcard (decoded by the router). */
export function distributionRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: WildcardParams }>('/distribution/*', { schema: { params: WildcardParamsSchema, querystring: NoQuerySchema } }, async (request, reply) => {
      const wildcard = request.params['*'];
      if (!wildcard.endsWith('/json')) return reply.callNotFound();
      const name = wildcard.slice(0, -'/json'.length);
      return engine.registries.inspect(name, registryAuth(request.headers['x-registry-auth']).auth);
    });
  };
}
