import type { FastifyPluginAsync } from 'fastify';
import { EventsQuerySchema, InvalidArgumentError, type EventMessage, type EventsQuery } from '@berth/api';
import type { Engine } from '../engine.js';
import { COMMON_HEADERS } from '../headers.js';
import { clientGone } from '../client-gone.js';
import { setLongTimeout } from '../long-timeout.js';
import { queryFilters } from '../query.js';
import { eventFilter } from '../../events/event-filter.js';
import { parseEventTime } from '../../events/event-time.js';

/** Unsent events one subscriber may hold before it is disconnected. */
const EVENT_BACKLOG_LIMIT = 4 * 1024 * 1024;

/**
 * `GET /events`: buffered events since `since`, then live ones as JSON lines (each flushed) until
 * `until` passes or the client leaves. An `until` in the past ends the stream after the replay.
 */
export function eventRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: EventsQuery }>('/events', { schema: { querystring: EventsQuerySchema } }, async (request, reply) => {
      const query = request.query;
      const since = parseEventTime(query.since);
      const until = parseEventTime(query.until);
      if (since !== undefined && until !== undefined && until < since) {
        // Docker echoes the values as the client sent them.
        throw new InvalidArgumentError(`\`since\` time (${query.since}) cannot be after \`until\` time (${query.until})`);
      }
      const include = eventFilter(queryFilters(query.filters));
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
      res.flushHeaders();
      const send = (event: EventMessage): void => {
        if (!include(event) || res.destroyed) return;
        res.write(`${JSON.stringify(event)}\n`);
        // A subscriber that stops reading is disconnected rather than buffered for without end.
        if (res.writableLength > EVENT_BACKLOG_LIMIT) {
          request.log.warn(`dropping an events subscriber that stopped reading (${res.writableLength} bytes unsent)`);
          res.destroy();
        }
      };

      // A client that left before this handler ran gets nothing and leaves no subscriber behind.
      const gone = clientGone(res);
      if (gone.aborted) {
        res.end();
        return;
      }
      // Replay and subscription happen in one tick, so no event falls between them.
      if (since !== undefined || until !== undefined) engine.events.replay(since ?? 0, until).forEach(send);
      const unsubscribe = engine.events.subscribe((event) => {
        if (until === undefined || event.timeNano <= until) send(event);
      });

      const nowNano = Date.now() * 1_000_000;
      let cancelTimer: (() => void) | undefined;
      const finish = (): void => {
        unsubscribe();
        cancelTimer?.();
        res.end();
      };
      gone.addEventListener('abort', finish, { once: true });
      if (until !== undefined) {
        if (until <= nowNano) finish();
        else cancelTimer = setLongTimeout(finish, Math.ceil((until - nowNano) / 1_000_000));
      }
    });
  };
}
