import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine.js';
import type { ExecConfig } from '../../exec/exec-service.js';
import { execOverHttp, type ExecStartBody } from '../exec-stream.js';
import { splitVersionedUrl } from '../api-version.js';
import { queryInt } from '../query.js';

type IdParams = { id: string };

/** `docker exec`: create, start (detached, or streamed on the connection when not upgraded), inspect, resize. */
export function execRoutes(engine: Engine): FastifyPluginAsync {
  const execs = engine.execs;
  return async (app) => {
    app.post<{ Params: IdParams }>('/containers/:id/exec', async (request, reply) => {
      const created = execs.create(request.params.id, (request.body ?? {}) as ExecConfig);
      return reply.status(201).send(created);
    });

    app.post<{ Params: IdParams }>('/exec/:id/start', async (request, reply) => {
      const body = (request.body ?? {}) as ExecStartBody;
      execs.checkStartable(request.params.id);
      if (body.Detach) {
        await execs.start(request.params.id, { end: () => undefined });
        return reply.status(200).send();
      }
      reply.hijack();
      await execOverHttp(execs, request.params.id, body, request.raw.socket, { upgraded: false, apiVersion: splitVersionedUrl(request.originalUrl).version });
    });

    app.get<{ Params: IdParams }>('/exec/:id/json', async (request) => execs.inspect(request.params.id));

    app.post<{ Params: IdParams }>('/exec/:id/resize', async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      await execs.resize(request.params.id, queryInt(query.h, 'h') ?? 0, queryInt(query.w, 'w') ?? 0);
      return reply.status(200).send();
    });
  };
}
