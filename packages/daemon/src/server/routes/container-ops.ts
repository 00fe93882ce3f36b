import type { FastifyPluginAsync } from 'fastify';
import {
  ContainerRenameQuerySchema,
  ContainerStatsQuerySchema,
  ContainerStopQuerySchema,
  ContainerTopQuerySchema,
  ContainerUpdateRequestSchema,
  FiltersQuerySchema,
  IdParamsSchema,
  InvalidArgumentError,
  NoQuerySchema,
  UnreadBodySchema,
  optionalBody,
  type ContainerRenameQuery,
  type ContainerStatsQuery,
  type ContainerStopQuery,
  type ContainerTopQuery,
  type ContainerUpdateRequest,
  type FiltersQuery,
  type IdParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { clientGone } from '../client-gone.js';
import { COMMON_HEADERS } from '../headers.js';
import { queryBool, queryFilters, queryInt } from '../query.js';
import { drainedOrClosed } from '../../util/write-waits.js';

/** restart, pause, unpause, rename, update, prune, top and stats. */
export function containerOpsRoutes(engine: Engine): FastifyPluginAsync {
  const { lifecycle, inspection, maintenance } = engine;
  return async (app) => {
    const restartSchema = { params: IdParamsSchema, querystring: ContainerStopQuerySchema, body: UnreadBodySchema };
    const idOnlySchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerStopQuery }>('/containers/:id/restart', { schema: restartSchema }, async (request, reply) => {
      const query = request.query;
      await lifecycle.restart(request.params.id, queryInt(query.t ?? query.timeout, 't'), query.signal || undefined);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/pause', { schema: idOnlySchema }, async (request, reply) => {
      await lifecycle.pause(request.params.id);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/unpause', { schema: idOnlySchema }, async (request, reply) => {
      await lifecycle.unpause(request.params.id);
      return reply.status(204).send();
    });

    const renameSchema = { params: IdParamsSchema, querystring: ContainerRenameQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerRenameQuery }>('/containers/:id/rename', { schema: renameSchema }, async (request, reply) => {
      await lifecycle.rename(request.params.id, request.query.name ?? '');
      return reply.status(204).send();
    });

    const updateSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: optionalBody(ContainerUpdateRequestSchema) };
    app.post<{ Params: IdParams; Body: ContainerUpdateRequest | null }>('/containers/:id/update', { schema: updateSchema }, async (request) => {
      if (!request.body) throw new InvalidArgumentError('invalid update: request body is empty');
      return lifecycle.update(request.params.id, request.body);
    });

    app.post<{ Querystring: FiltersQuery }>('/containers/prune', { schema: { querystring: FiltersQuerySchema, body: UnreadBodySchema } }, async (request) =>
      maintenance.prune(queryFilters(request.query.filters)),
    );

    const topSchema = { params: IdParamsSchema, querystring: ContainerTopQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerTopQuery }>('/containers/:id/top', { schema: topSchema }, async (request) =>
      inspection.top(request.params.id, request.query.ps_args),
    );

    const statsSchema = { params: IdParamsSchema, querystring: ContainerStatsQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerStatsQuery }>('/containers/:id/stats', { schema: statsSchema }, async (request, reply) => {
      const query = request.query;
      const stream = query.stream === undefined ? true : queryBool(query.stream);
      const oneShot = queryBool(query['one-shot']);
      if (oneShot && stream) throw new InvalidArgumentError('cannot have stream=true and one-shot=true');
      const id = request.params.id;
      if (!stream) return inspection.stats(id, { oneShot });
      const samples = inspection.statsStream(id, clientGone(reply.raw));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
      for await (const sample of samples) {
        // A client that stops reading gets no more samples until it reads again (or leaves).
        if (!res.write(`${JSON.stringify(sample)}\n`)) await drainedOrClosed(res);
      }
      res.end();
    });
  };
}
