import type { FastifyPluginAsync } from 'fastify';
import { ContainerAttachQuerySchema, IdParamsSchema, UnreadBodySchema, type ContainerAttachQuery, type IdParams } from '@berth/api';
import type { Engine } from '../engine.js';
import { attachOverHttp } from '../attach-stream.js';
import { attachOverWebSocket } from '../attach-ws.js';
import { splitVersionedUrl } from '../api-version.js';
import { serveHijacked } from '../raw-response.js';
import { hijackedRoute } from '../hijacked-route.js';

// dockerode repeats its attach options as a body; on an upgraded connection what follows the body is stdin.
const attachSchema = { params: IdParamsSchema, querystring: ContainerAttachQuerySchema, body: UnreadBodySchema };

/** Attach without `Upgrade:` (dockerode's default): a plain streamed response on the same socket. */
export function attachRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: IdParams; Querystring: ContainerAttachQuery }>('/containers/:id/attach', { schema: attachSchema }, async (request, reply) => {
      engine.inspection.inspect(request.params.id);
      reply.hijack();
      const options = { upgraded: false, apiVersion: splitVersionedUrl(request.originalUrl).version };
      await serveHijacked(request.raw.socket, request.log, () => attachOverHttp(engine, request.params.id, request.query, request.raw.socket, options));
    });
  };
}

type AttachTypes = { Params: IdParams; Querystring: ContainerAttachQuery };

/** Attach on an upgraded connection (the docker CLI), and over a WebSocket. */
export const attachHijackedRoutes = [
  hijackedRoute<AttachTypes>({
    method: 'POST',
    url: '/containers/:id/attach',
    schema: attachSchema,
    handler: (engine, request) => attachOverHttp(engine, request.params.id, request.query, request.socket, { upgraded: true, apiVersion: request.apiVersion }),
  }),
  hijackedRoute<AttachTypes>({
    method: 'GET',
    url: '/containers/:id/attach/ws',
    schema: { params: IdParamsSchema, querystring: ContainerAttachQuerySchema },
    handler: (engine, request) => attachOverWebSocket(engine, request.params.id, request.query, request.raw, request.socket),
  }),
];
