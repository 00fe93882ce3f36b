import type { FastifyPluginAsync } from 'fastify';
import {
  ContainerArchiveQuerySchema,
  IdParamsSchema,
  InvalidArgumentError,
  NoQuerySchema,
  StreamBodySchema,
  type ContainerArchiveQuery,
  type IdParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { encodePathStat } from '../../archive/path-stat.js';
import { queryBool } from '../query.js';
import { requestBody } from '../request-body.js';

type ArchiveRoute = { Params: IdParams; Querystring: ContainerArchiveQuery };

const STAT_HEADER = 'X-Docker-Container-Path-Stat';
const archiveSchema = { params: IdParamsSchema, querystring: ContainerArchiveQuerySchema };
const idSchema = { params: IdParamsSchema, querystring: NoQuerySchema };

function pathOf(query: ContainerArchiveQuery): string {
  if (!query.path) throw new InvalidArgumentError('Path cannot be empty');
  return query.path;
}

/** `docker cp` (HEAD/GET/PUT archive), `docker export` and `docker diff`. */
export function archiveRoutes(engine: Engine): FastifyPluginAsync {
  const archives = engine.archives;
  return async (app) => {
    app.head<ArchiveRoute>('/containers/:id/archive', { schema: archiveSchema }, async (request, reply) => {
      const stat = await archives.stat(request.params.id, pathOf(request.query));
      return reply.header(STAT_HEADER, encodePathStat(stat)).status(200).send();
    });

    app.get<ArchiveRoute>('/containers/:id/archive', { exposeHeadRoute: false, schema: archiveSchema }, async (request, reply) => {
      const { stat, tar } = await archives.get(request.params.id, pathOf(request.query));
      return reply.header(STAT_HEADER, encodePathStat(stat)).header('Content-Type', 'application/x-tar').send(tar);
    });

    app.put<ArchiveRoute>('/containers/:id/archive', { schema: { ...archiveSchema, body: StreamBodySchema } }, async (request, reply) => {
      const { query } = request;
      await archives.put(request.params.id, pathOf(query), requestBody(request.raw, reply.raw), {
        noOverwriteDirNonDir: queryBool(query.noOverwriteDirNonDir),
        copyUIDGID: queryBool(query.copyUIDGID),
      });
      return reply.status(200).send();
    });

    app.get<{ Params: IdParams }>('/containers/:id/export', { schema: idSchema }, async (request, reply) => {
      const tar = await archives.export(request.params.id);
      return reply.header('Content-Type', 'application/octet-stream').send(tar);
    });

    app.get<{ Params: IdParams }>('/containers/:id/changes', { schema: idSchema }, async (request) => archives.changes(request.params.id));
  };
}
