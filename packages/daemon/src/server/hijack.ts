import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  DEFAULT_DETACH_KEYS,
  REQUEST_PART_SUBJECTS,
  StdStream,
  assertMatchesSchema,
  frameStdStream,
  httpStatusOf,
  parseDetachKeys,
  parseExecStartBody,
  type ContainerAttachQuery,
  type ContainerInspect,
} from '@berth/api';
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from './engine.js';
import type { EventContainer } from '../events/engine-events.js';
import { queryBool } from './query.js';
import { attachOverWebSocket } from './attach-ws.js';
import { execOverHttp, readUpgradeBody } from './exec-stream.js';
import { stdStreamSinks, writeRawError, writeStreamHead } from './raw-response.js';
import { endAfterSinks, endConnection, flushSinks, socketClosed } from './client-sink.js';
import { clientStdin } from './client-stdin.js';
import { UPGRADE_ROUTES, routeUpgrade, type UpgradeRoute } from './upgrade-route.js';

/**
 * Requests carrying `Upgrade:` (docker CLI attach and exec start) arrive here instead of fastify. We
 * answer `101 UPGRADED` ourselves and keep the raw socket half-open, so output produced after the
 * client closes its stdin still reaches it. Only the endpoints of UPGRADE_ROUTES come here (fastify
 * answers other upgrade requests). Nothing a client sends may throw out of here: a bad URL or request
 * is a 400, and any other failure ends this one connection.
 */
export function handleUpgrade(engine: Engine, req: IncomingMessage, socket: Duplex, head: Buffer, log: FastifyBaseLogger): void {
  socket.on('error', () => undefined);
  // A kept-alive connection carries earlier responses: only bytes written from here on belong to this one.
  const writtenBefore = bytesWritten(socket);
  const fail = (err: unknown): void => failUpgrade(socket, err, log, bytesWritten(socket) === writtenBefore);
  try {
    if (head.length) socket.unshift(head);
    serveUpgrade(engine, routeUpgrade(req.method, req.url), req, socket).catch(fail);
  } catch (err) {
    fail(err);
  }
}

function bytesWritten(socket: Duplex): number {
  return (socket as Partial<{ bytesWritten: number }>).bytesWritten ?? 0;
}

async function serveUpgrade(engine: Engine, route: UpgradeRoute, req: IncomingMessage, socket: Duplex): Promise<void> {
  const contentLength = Number(req.headers['content-length'] ?? 0);
  const { params, querystring, body } = REQUEST_PART_SUBJECTS;
  const { schema } = UPGRADE_ROUTES[route.kind];
  const { id } = assertMatchesSchema(schema.params, { id: route.id }, params);
  switch (route.kind) {
    case 'attach-ws':
      return attachOverWebSocket(engine, id, assertMatchesSchema(UPGRADE_ROUTES['attach-ws'].schema.querystring, route.query, querystring), req, socket);
    case 'attach': {
      const query = assertMatchesSchema(UPGRADE_ROUTES.attach.schema.querystring, route.query, querystring);
      assertMatchesSchema(UPGRADE_ROUTES.attach.schema.body, await readUpgradeBody(socket, contentLength), body);
      return attachOverHttp(engine, id, query, socket, { upgraded: true, apiVersion: route.version });
    }
    case 'exec-start': {
      assertMatchesSchema(UPGRADE_ROUTES['exec-start'].schema.querystring, route.query, querystring);
      const start = parseExecStartBody(await readUpgradeBody(socket, contentLength));
      return execOverHttp(engine.execs, id, start, socket, { upgraded: true, apiVersion: route.version });
    }
  }
}

/** Answers with the error while nothing was sent yet; past the response head the connection can only be dropped. */
function failUpgrade(socket: Duplex, err: unknown, log: FastifyBaseLogger, nothingSent: boolean): void {
  const status = httpStatusOf(err);
  if (status >= 500) log.error({ err }, 'hijacked request failed');
  if (nothingSent && socket.writable) writeRawError(socket, status, status >= 500 ? 'internal server error' : (err as Error).message);
  else socket.destroy();
}

/** Streams a container's stdio over a hijacked connection, multiplexed unless it has a TTY. */
export async function attachOverHttp(
  engine: Engine,
  ref: string,
  query: ContainerAttachQuery,
  socket: Duplex,
  options: { upgraded: boolean; apiVersion: string },
): Promise<void> {
  let inspected: ContainerInspect;
  let subject: EventContainer;
  try {
    inspected = engine.inspection.inspect(ref);
    subject = engine.inspection.eventSubject(inspected.Id);
    if (query.detachKeys) parseDetachKeys(query.detachKeys);
  } catch (err) {
    return writeRawError(socket, httpStatusOf(err), (err as Error).message);
  }
  const tty = inspected.Config.Tty ?? false;
  writeStreamHead(socket, { ...options, tty });
  const sinks = stdStreamSinks(socket, tty);
  const closed = socketClosed(socket);
  if (queryBool(query.logs)) await engine.io.replayLog(inspected.Id, sinks);
  // Without `stream` (Docker's default) the attach ends after the replayed logs.
  if (!queryBool(query.stream)) {
    await flushSinks([sinks.stdout, sinks.stderr]);
    endConnection(socket);
    return;
  }
  const detachKeys = parseDetachKeys(query.detachKeys || DEFAULT_DETACH_KEYS);
  const detach = (): void => {
    socket.destroy();
    engine.report.container('detach', subject);
  };
  const stdin = queryBool(query.stdin) ? clientStdin(socket, { tty, detachKeys, detach }) : undefined;
  // Without stdin what the client sends is dropped, but read: that is how its leaving is seen.
  if (!stdin) socket.resume();
  try {
    await engine.io.attach(ref, {
      stdin,
      stdout: queryBool(query.stdout) ? sinks.stdout : undefined,
      stderr: queryBool(query.stderr) ? sinks.stderr : undefined,
      end: () => endAfterSinks(socket, [sinks.stdout, sinks.stderr]),
      closed,
    });
  } catch (err) {
    await flushSinks([sinks.stdout, sinks.stderr]);
    if (socket.writable && !tty) socket.write(frameStdStream(StdStream.SystemErr, Buffer.from((err as Error).message)));
    endConnection(socket);
  }
}
