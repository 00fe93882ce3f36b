import type { FastifyPluginAsync } from 'fastify';
import { InvalidArgumentError } from '@berth/api';
import type { Engine } from '../engine.js';
import type { ContainerStats } from '../../container/stats.js';
import type { ContainerUpdate } from '../../container/update.js';
import { COMMON_HEADERS } from '../headers.js';
import { queryBool, queryFilters, queryInt } from '../query.js';
import { drainedOrClosed } from '../client-sink.js';

type IdParams = { id: string };
type Query = Record<string, string | undefined>;

/** dockerd's stats collection interval. */
const STATS_INTERVAL_MS = 1000;

/** restart, pause, unpause, rename, update, prune, top and stats. */
export function containerOpsRoutes(engine: Engine): FastifyPluginAsync {
  const containers = engine.containers;
  return async (app) => {
    app.post<{ Params: IdParams }>('/containers/:id/restart', async (request, reply) => {
      const query = request.query as Query;
      await containers.restart(request.params.id, queryInt(query.t ?? query.timeout, 't'), query.signal || undefined);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/pause', async (request, reply) => {
      await containers.pause(request.params.id);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/unpause', async (request, reply) => {
      await containers.unpause(request.params.id);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/rename', async (request, reply) => {
      await containers.rename(request.params.id, (request.query as Query).name ?? '');
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/update', async (request) => {
      const body = request.body as ContainerUpdate | undefined;
      if (!body || typeof body !== 'object') throw new InvalidArgumentError('invalid update: request body is empty');
      return containers.update(request.params.id, body);
    });

    app.post('/containers/prune', async (request) => containers.prune(queryFilters((request.query as Query).filters)));

    app.get<{ Params: IdParams }>('/containers/:id/top', async (request) => containers.top(request.params.id, (request.query as Query).ps_args));

    app.get<{ Params: IdParams }>('/containers/:id/stats', async (request, reply) => {
      const query = request.query as Query;
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
