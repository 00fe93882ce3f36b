import type { FastifyPluginAsync } from 'fastify';
import {
  ExecCreateRequestSchema,
  ExecStartBodySchema,
  IdParamsSchema,
  NoQuerySchema,
  ResizeQuerySchema,
  UnreadBodySchema,
  optionalBody,
  type ExecCreateRequest,
  type ExecStartRequest,
  type IdParams,
  type ResizeQuery,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { execOverHttp } from '../exec-stream.js';
import { splitVersionedUrl } from '../api-version.js';
import { queryInt } from '../query.js';
import { serveHijacked } from '../raw-response.js';
import { hijackedRoute } from '../hijacked-route.js';

const startSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: ExecStartBodySchema };

/** `docker exec`: create, start (detached, or streamed on the connection when not upgraded), inspect, resize. */
export function execRoutes(engine: Engine): FastifyPluginAsync {
  const execs = engine.execs;
  return async (app) => {
    const createSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: optionalBody(ExecCreateRequestSchema) };
    app.post<{ Params: IdParams; Body: ExecCreateRequest | null }>('/containers/:id/exec', { schema: createSchema }, async (request, reply) => {
      const created = execs.create(request.params.id, request.body ?? {});
      return reply.status(201).send(created);
    });

    app.post<{ Params: IdParams; Body: ExecStartRequest | null }>('/exec/:id/start', { schema: startSchema }, async (request, reply) => {
      const body = request.body ?? {};
      execs.checkStartable(request.params.id);
      if (body.Detach) {
        await execs.start(request.params.id, { end: () => undefined }, body);
        return reply.status(200).send();
      }
      reply.hijack();
      const options = { upgraded: false, apiVersion: splitVersionedUrl(request.originalUrl).version };
      await serveHijacked(request.raw.socket, request.log, () => execOverHttp(execs, request.params.id, body, request.raw.socket, options));
    });

    app.get<{ Params: IdParams }>('/exec/:id/json', { schema: { params: IdParamsSchema, querystring: NoQuerySchema } }, async (request) => execs.inspect(request.params.id));

    const resizeSchema = { params: IdParamsSchema, querystring: ResizeQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ResizeQuery }>('/exec/:id/resize', { schema: resizeSchema }, async (request, reply) => {
      await execs.resize(request.params.id, queryInt(request.query.h, 'h') ?? 0, queryInt(request.query.w, 'w') ?? 0);
      return reply.status(200).send();
    });
  };
}

/** Exec start on an upgraded connection (the docker CLI): the exec's stdio on the raw socket. */
export const execHijackedRoutes = [
  hijackedRoute<{ Params: IdParams; Body: ExecStartRequest }>({
    method: 'POST',
    url: '/exec/:id/start',
    schema: startSchema,
    handler: (engine, request) => execOverHttp(engine.execs, request.params.id, request.body ?? {}, request.socket, { upgraded: true, apiVersion: request.apiVersion }),
  }),
];
