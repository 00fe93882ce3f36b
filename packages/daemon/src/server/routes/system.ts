import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NoQuerySchema } from '@berth/api';
import type { Engine } from '../engine.js';

const PING_HEADERS = { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1', Swarm: 'inactive' };

const noQuery = { schema: { querystring: NoQuerySchema } };

export function systemRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const ping = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
      reply.headers(PING_HEADERS).type('text/plain; charset=utf-8').send('OK');
    app.get('/_ping', noQuery, ping);
    app.head('/_ping', noQuery, ping);
    app.get('/version', noQuery, async () => engine.system.version());
    app.get('/info', noQuery, async () => engine.system.info());
  };
}
