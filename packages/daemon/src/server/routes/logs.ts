import type { FastifyPluginAsync } from 'fastify';
import {
  ContainerLogsQuerySchema,
  IdParamsSchema,
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  compareApiVersions,
  type ContainerLogsQuery,
  type IdParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { clientGone } from '../client-gone.js';
import { splitVersionedUrl } from '../api-version.js';
import { COMMON_HEADERS } from '../headers.js';
import { queryBool } from '../query.js';
import { writtenOrClosed } from '../../util/write-waits.js';

/** GET /containers/{id}/logs: the container's log replayed (and followed) in Docker's stream framing. */
export function logRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const logsSchema = { params: IdParamsSchema, querystring: ContainerLogsQuerySchema };
    app.get<{ Params: IdParams; Querystring: ContainerLogsQuery }>('/containers/:id/logs', { schema: logsSchema }, async (request, reply) => {
      const query = request.query;
      const log = engine.io.logs(
        request.params.id,
        {
          stdout: queryBool(query.stdout),
          stderr: queryBool(query.stderr),
          since: query.since,
          until: query.until,
          tail: query.tail,
          timestamps: queryBool(query.timestamps),
          follow: queryBool(query.follow),
        },
        clientGone(reply.raw),
      );
      const apiVersion = splitVersionedUrl(request.originalUrl).version;
      const contentType = !log.tty && compareApiVersions(apiVersion, '1.42') >= 0 ? MULTIPLEXED_STREAM_CONTENT_TYPE : RAW_STREAM_CONTENT_TYPE;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': contentType });
      res.flushHeaders();
      try {
        // Each chunk is written out before the next is read: the chunks share one buffer, and the client's pace sets ours.
        for await (const chunk of log.chunks) {
          if (res.destroyed) break;
          await writtenOrClosed(res, chunk);
        }
      } catch (err) {
        request.log.warn({ err }, 'reading container log failed');
      } finally {
        res.end();
      }
    });
  };
}
