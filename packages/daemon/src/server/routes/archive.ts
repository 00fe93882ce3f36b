import type { FastifyPluginAsync } from 'fastify';
import { InvalidArgumentError } from '@berth/api';
import type { Engine } from '../engine.js';
import { encodePathStat } from '../../container/path-stat.js';

type IdParams = { id: string };
type Query = Record<string, string | undefined>;

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function pathOf(query: Query): string {
  if (!query.path) throw new InvalidArgumentError('Path cannot be empty');
  return query.path;
}

/** `docker cp` (HEAD/GET/PUT archive), `docker export` and `docker diff`. */
export function archiveRoutes(engine: Engine): FastifyPluginAsync {
  const archives = engine.archives;
  return async (app) => {
    app.head<{ Params: IdParams }>('/containers/:id/archive', async (request, reply) => {
      const stat = await archives.stat(request.params.id, pathOf(request.query as Query));
      return reply.header(STAT_HEADER, encodePathStat(stat)).status(200).send();
    });

    app.get<{ Params: IdParams }>('/containers/:id/archive', { exposeHeadRoute: false }, async (request, reply) => {
      const { stat, tar } = await archives.get(request.params.id, pathOf(request.query as Query));
      return reply.header(STAT_HEADER, encodePathStat(stat)).header('Content-Type', 'application/x-tar').send(tar);
    });

    app.put<{ Params: IdParams }>('/containers/:id/archive', async (request, reply) => {
      await archives.put(request.params.id, pathOf(request.query as Query), request.raw);
      return reply.status(200).send();
    });

    app.get<{ Params: IdParams }>('/containers/:id/export', async (request, reply) => {
      const tar = await archives.export(request.params.id);
      return reply.header('Content-Type', 'application/octet-stream').send(tar);
    });

    app.get<{ Params: IdParams }>('/containers/:id/changes', async (request) => archives.changes(request.params.id));
  };
}
