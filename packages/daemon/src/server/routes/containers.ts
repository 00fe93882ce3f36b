import type { FastifyPluginAsync } from 'fastify';
import {
  ContainerCreateQuerySchema,
  ContainerCreateRequestSchema,
  ContainerInspectQuerySchema,
  ContainerKillQuerySchema,
  ContainerListQuerySchema,
  ContainerRemoveQuerySchema,
  ContainerStartQuerySchema,
  ContainerStopQuerySchema,
  ContainerWaitQuerySchema,
  IdParamsSchema,
  InvalidArgumentError,
  UnreadBodySchema,
  optionalBody,
  wrapError,
  type ContainerCreateQuery,
  type ContainerCreateRequest,
  type ContainerInspectQuery,
  type ContainerKillQuery,
  type ContainerListQuery,
  type ContainerRemoveQuery,
  type ContainerStartQuery,
  type ContainerStopQuery,
  type ContainerWaitQuery,
  type IdParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { clientGone } from '../client-gone.js';
import { queryBool, queryFilters, queryInt } from '../query.js';
import { COMMON_HEADERS } from '../headers.js';
import { splitVersionedUrl } from '../api-version.js';
import { migrateContainerWideMac } from '../container-wide-mac.js';

export function containerRoutes(engine: Engine): FastifyPluginAsync {
  const { lifecycle, inspection } = engine;
  return async (app) => {
    app.post<{ Body: ContainerCreateRequest | null; Querystring: ContainerCreateQuery }>(
      '/containers/create',
      { schema: { body: optionalBody(ContainerCreateRequestSchema), querystring: ContainerCreateQuerySchema } },
      async (request, reply) => {
        const body = request.body;
        if (!body) throw new InvalidArgumentError('config cannot be empty in order to create a container');
        const { name, platform } = request.query;
        const migrated = migrateContainerWideMac(body, splitVersionedUrl(request.originalUrl).version);
        const created = await lifecycle.create(migrated.request, { name: name || undefined, platform: platform || undefined });
        return reply.status(201).send({ ...created, Warnings: [...created.Warnings, ...migrated.warnings] });
      },
    );

    app.get<{ Querystring: ContainerListQuery }>('/containers/json', { schema: { querystring: ContainerListQuerySchema } }, async (request) => {
      const query = request.query;
      const rows = inspection.list({ all: queryBool(query.all), limit: queryInt(query.limit, 'limit'), filters: queryFilters(query.filters) });
      return queryBool(query.size) ? engine.diskUsage.withSizes(rows) : rows;
    });

    const inspectSchema = { params: IdParamsSchema, querystring: ContainerInspectQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerInspectQuery }>('/containers/:id/json', { schema: inspectSchema }, async (request) => {
      const inspected = inspection.inspect(request.params.id);
      if (!queryBool(request.query.size)) return inspected;
      const [sized] = await engine.diskUsage.withSizes([inspected]);
      return sized;
    });

    const startSchema = { params: IdParamsSchema, querystring: ContainerStartQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerStartQuery }>('/containers/:id/start', { schema: startSchema }, async (request, reply) => {
      // moby's test: a JSON object of more than 7 bytes (`{}` and `null` pass) is a pre-1.24 HostConfig.
      const length = request.headers['content-length'];
      if ((length === undefined && request.headers['transfer-encoding'] !== undefined) || Number(length ?? 0) > 7) {
        throw new InvalidArgumentError('starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
      }
      // moby takes and ignores it; detach keys belong to attach, which `docker start -a` sends them to.
      if (request.query.detachKeys) throw new InvalidArgumentError('detachKeys is not supported on start: give the detach keys to attach');
      await lifecycle.start(request.params.id);
      return reply.status(204).send();
    });

    const stopSchema = { params: IdParamsSchema, querystring: ContainerStopQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerStopQuery }>('/containers/:id/stop', { schema: stopSchema }, async (request, reply) => {
      const query = request.query;
      await lifecycle.stop(request.params.id, queryInt(query.t ?? query.timeout, 't'), query.signal);
      return reply.status(204).send();
    });

    const killSchema = { params: IdParamsSchema, querystring: ContainerKillQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerKillQuery }>('/containers/:id/kill', { schema: killSchema }, async (request, reply) => {
      await lifecycle.kill(request.params.id, request.query.signal || undefined).catch((err: unknown) => {
        throw wrapError(err, `cannot kill container: ${request.params.id}`);
      });
      return reply.status(204).send();
    });

    const waitSchema = { params: IdParamsSchema, querystring: ContainerWaitQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ContainerWaitQuery }>('/containers/:id/wait', { schema: waitSchema }, async (request, reply) => {
      const condition = request.query.condition || 'not-running';
      const result = lifecycle.wait(request.params.id, condition, clientGone(reply.raw));
      // Headers go out at once so the client knows the wait is registered before it starts the container.
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
      res.flushHeaders();
      await result.then(
        (status) => res.end(`${JSON.stringify(status)}\n`),
        () => res.destroy(),
      );
    });

    const removeSchema = { params: IdParamsSchema, querystring: ContainerRemoveQuerySchema };
    app.delete<{ Params: IdParams; Querystring: ContainerRemoveQuery }>('/containers/:id', { schema: removeSchema }, async (request, reply) => {
      const query = request.query;
      if (queryBool(query.link)) {
        await lifecycle.removeLink(request.params.id);
        return reply.status(204).send();
      }
      await lifecycle.remove(request.params.id, { force: queryBool(query.force), volumes: queryBool(query.v) });
      return reply.status(204).send();
    });
  };
}
