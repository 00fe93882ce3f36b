import type { FastifyPluginAsync } from 'fastify';
import { ContainerCreateRequestSchema, InvalidArgumentError, type ContainerCreateRequest } from '@berth/api';
import type { Engine } from '../engine.js';
import type { WaitCondition } from '../../container/exit-waiters.js';
import { queryBool, queryFilters, queryInt } from '../query.js';
import { COMMON_HEADERS } from '../headers.js';
import { attachOverHttp } from '../hijack.js';
import { splitVersionedUrl } from '../api-version.js';

type IdParams = { id: string };
type Query = Record<string, string | undefined>;

const WAIT_CONDITIONS = new Set<WaitCondition>(['not-running', 'next-exit', 'removed']);

export function containerRoutes(engine: Engine): FastifyPluginAsync {
  const containers = engine.containers;
  return async (app) => {
    app.post('/containers/create', { schema: { body: ContainerCreateRequestSchema } }, async (request, reply) => {
      const body = request.body as ContainerCreateRequest | undefined;
      if (!body) throw new InvalidArgumentError('config cannot be empty in order to create a container');
      const { name } = request.query as Query;
      const created = await containers.create(body, name || undefined);
      return reply.status(201).send(created);
    });

    app.get('/containers/json', async (request) => {
      const query = request.query as Query;
      const rows = containers.list({ all: queryBool(query.all), limit: queryInt(query.limit, 'limit'), filters: queryFilters(query.filters) });
      if (!queryBool(query.size)) return rows;
      const imageSizes = new Map(engine.images.list({ all: true }).map((image) => [image.Id, image.Size]));
      return containers.withSizes(rows, (id) => imageSizes.get(id) ?? 0);
    });

    app.get<{ Params: IdParams }>('/containers/:id/json', async (request) => containers.inspect(request.params.id));

    app.post<{ Params: IdParams }>('/containers/:id/start', async (request, reply) => {
      await containers.start(request.params.id);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/stop', async (request, reply) => {
      const query = request.query as Query;
      await containers.stop(request.params.id, queryInt(query.t ?? query.timeout, 't'), query.signal);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/kill', async (request, reply) => {
      await containers.kill(request.params.id, (request.query as Query).signal || 'SIGKILL');
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>('/containers/:id/wait', async (request, reply) => {
      const condition = ((request.query as Query).condition || 'not-running') as WaitCondition;
      if (!WAIT_CONDITIONS.has(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
      const clientGone = new AbortController();
      const result = containers.wait(request.params.id, condition, clientGone.signal);
      // Headers go out at once so the client knows the wait is registered before it starts the container.
      reply.hijack();
      const res = reply.raw;
      res.on('close', () => clientGone.abort(new Error('client disconnected')));
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
      res.flushHeaders();
      await result.then(
        (status) => res.end(`${JSON.stringify(status)}\n`),
        () => res.destroy(),
      );
    });

    app.delete<{ Params: IdParams }>('/containers/:id', async (request, reply) => {
      const query = request.query as Query;
      await containers.remove(request.params.id, { force: queryBool(query.force), volumes: queryBool(query.v) });
      return reply.status(204).send();
    });

    // Attach without `Upgrade:` (dockerode's default): a plain streamed response on the same socket.
    app.post<{ Params: IdParams }>('/containers/:id/attach', async (request, reply) => {
      containers.inspect(request.params.id);
      reply.hijack();
      await attachOverHttp(engine, request.params.id, request.query as Query, request.raw.socket, { upgraded: false, apiVersion: splitVersionedUrl(request.originalUrl).version });
    });
  };
}
