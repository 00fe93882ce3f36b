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

/** `docker exec`: create, start (detached, or streamed on the connection when not upgraded), inspect, resize. */
export function execRoutes(engine: Engine): FastifyPluginAsync {
  const execs = engine.execs;
  return async (app) => {
    const createSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: optionalBody(ExecCreateRequestSchema) };
    app.post<{ Params: IdParams; Body: ExecCreateRequest | null }>('/containers/:id/exec', { schema: createSchema }, async (request, reply) => {
      const created = execs.create(request.params.id, request.body ?? {});
      return reply.status(201).send(created);
    });

    const startSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: ExecStartBodySchema };
    app.post<{ Params: IdParams; Body: ExecStartRequest | null }>('/exec/:id/start', { schema: startSchema }, async (request, reply) => {
      const body = request.body ?? {};
      execs.checkStartable(request.params.id);
      if (body.Detach) {
        await execs.start(request.params.id, { end: () => undefined }, body);
        return reply.status(200).send();
      }
      reply.hijack();
      await execOverHttp(execs, request.params.id, body, request.raw.socket, { upgraded: false, apiVersion: splitVersionedUrl(request.originalUrl).version });
    });

    app.get<{ Params: IdParams }>('/exec/:id/json', { schema: { params: IdParamsSchema, querystring: NoQuerySchema } }, async (request) => execs.inspect(request.params.id));

    const resizeSchema = { params: IdParamsSchema, querystring: ResizeQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: IdParams; Querystring: ResizeQuery }>('/exec/:id/resize', { schema: resizeSchema }, async (request, reply) => {
      await execs.resize(request.params.id, queryInt(request.query.h, 'h') ?? 0, queryInt(request.query.w, 'w') ?? 0);
      return reply.status(200).send();
    });
  };
}
