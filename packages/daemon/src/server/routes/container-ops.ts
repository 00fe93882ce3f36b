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
import type { ContainerStats } from '../../container/stats.js';
import { COMMON_HEADERS } from '../headers.js';
import { queryBool, queryFilters, queryInt } from '../query.js';
import { drainedOrClosed } from '../client-sink.js';

/** dockerd's stats collection interval. */
const STATS_INTERVAL_MS = 1000;

/** restart, pause, unpause, rename, update, prune, top and stats. */
export function containerOpsRoutes(engine: Engine): FastifyPluginAsync {
  const containers = engine.containers;
  return async (app) => {
    const restartSchema = { params: IdParamsSchema, querystring: ContainerStopQuerySchema, body: UnreadBodySchema };
    const idOnlySchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerStopQuery }>('/containers/:id/restart', { schema: restartSchema }, async (request, reply) => {
      const query = request.query;
      await containers.restart(request.params.id, queryInt(query.t ?? query.timeout, 't'), query.signal || undefined);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/pause', { schema: idOnlySchema }, async (request, reply) => {
      await containers.pause(request.params.id);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/unpause', { schema: idOnlySchema }, async (request, reply) => {
      await containers.unpause(request.params.id);
      return reply.status(204).send();
    });

    const renameSchema = { params: IdParamsSchema, querystring: ContainerRenameQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerRenameQuery }>('/containers/:id/rename', { schema: renameSchema }, async (request, reply) => {
      await containers.rename(request.params.id, request.query.name ?? '');
      return reply.status(204).send();
    });

    const updateSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: optionalBody(ContainerUpdateRequestSchema) };
    app.post<{ Params: IdParams; Body: ContainerUpdateRequest | null }>('/containers/:id/update', { schema: updateSchema }, async (request) => {
      if (!request.body) throw new InvalidArgumentError('invalid update: request body is empty');
      return containers.update(request.params.id, request.body);
    });

    app.post<{ Querystring: FiltersQuery }>('/containers/prune', { schema: { querystring: FiltersQuerySchema, body: UnreadBodySchema } }, async (request) => {
      const report = await containers.prune(queryFilters(request.query.filters));
      engine.report.pruned('container', report.SpaceReclaimed);
      return report;
    });

    const topSchema = { params: IdParamsSchema, querystring: ContainerTopQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerTopQuery }>('/containers/:id/top', { schema: topSchema }, async (request) =>
      containers.top(request.params.id, request.query.ps_args),
    );

    const statsSchema = { params: IdParamsSchema, querystring: ContainerStatsQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerStatsQuery }>('/containers/:id/stats', { schema: statsSchema }, async (request, reply) => {
      const query = request.query;
      const stream = query.stream === undefined ? true : queryBool(query.stream);
      const oneShot = queryBool(query['one-shot']);
      if (oneShot && stream) throw new InvalidArgumentError('cannot have stream=true and one-shot=true');
      const id = request.params.id;
      let sample = await containers.stats(id);
      if (!stream) {
        // Without one-shot, dockerd answers with its second sample so precpu_stats allows a CPU percentage.
        if (!oneShot && sample.read !== '0001-01-01T00:00:00Z') {
          await delay(STATS_INTERVAL_MS);
          sample = await containers.stats(id, sample);
        }
        return sample;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
      let closed = false;
      res.on('close', () => (closed = true));
      let previous: ContainerStats | undefined;
      while (!closed) {
        try {
          previous = await containers.stats(id, previous);
        } catch {
          break;
        }
        // A client that stops reading gets no more samples until it reads again (or leaves).
        if (!res.write(`${JSON.stringify(previous)}\n`)) await drainedOrClosed(res);
        if (!closed) await delay(STATS_INTERVAL_MS);
      }
      res.end();
    });
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
