import type { FastifyPluginAsync } from 'fastify';
import {
  ImageListQuerySchema,
  ImageLoadQuerySchema,
  NotFoundError,
  WildcardParamsSchema,
  progressLine,
  type ImageListQuery,
  type WildcardParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { drainRequest } from '../drain-request.js';
import { queryBool, queryFilters } from '../query.js';

/** Image names contain slashes, so `/images/{name}/json` is matched as a wildcard and split here. */
function splitImagePath(wildcard: string, suffix: string): string | undefined {
  return wildcard.endsWith(`/${suffix}`) ? decodeURIComponent(wildcard.slice(0, -suffix.length - 1)) : undefined;
}

export function imageRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: ImageListQuery }>('/images/json', { schema: { querystring: ImageListQuerySchema } }, async (request) =>
      engine.images.list({ all: queryBool(request.query.all), filters: queryFilters(request.query.filters) }),
    );

    app.get<{ Params: WildcardParams }>('/images/*', { schema: { params: WildcardParamsSchema } }, async (request, reply) => {
      const wildcard = request.params['*'];
      const name = splitImagePath(wildcard, 'json');
      if (name !== undefined) return engine.images.inspect(name);
      const historyOf = splitImagePath(wildcard, 'history');
      if (historyOf !== undefined) return engine.images.history(historyOf);
      const saved = splitImagePath(wildcard, 'get');
      if (saved !== undefined) return reply.header('Content-Type', 'application/x-tar').send(await engine.images.save([saved]));
      throw new NotFoundError('page not found');
    });

    app.post('/images/load', { schema: { querystring: ImageLoadQuerySchema } }, async (request, reply) => {
      let loaded: string[];
      try {
        loaded = await engine.images.load(request.raw);
      } catch (err) {
        await drainRequest(request);
        throw err;
      }
      // Exactly "application/json" (no charset): the docker CLI renders progress only for that value.
      return reply.header('Content-Type', 'application/json').send(Buffer.from(loaded.map((line) => progressLine({ stream: `${line}\n` })).join('')));
    });
  };
}
