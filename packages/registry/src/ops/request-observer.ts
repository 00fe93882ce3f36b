import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestUser } from '../http/auth/request-user.js';
import { registryPathOf } from '../http/registry-routes.js';
import type { RegistryPath } from '../http/route-path.js';

/** What the access log and the metrics learn of each request once it is answered. */
export interface RequestRecord {
  method: string;
  /** The path without the query. */
  path: string;
  /** The API endpoint by the Go registry's handler names (`manifest`, `blob_upload_chunk`…), `other` outside it. */
  handler: string;
  status: number;
  /** Bytes read from and written to the connection for this request, headers included. */
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  remoteAddress: string;
  user?: string;
}

export interface RequestObserver {
  started?(request: FastifyRequest, reply: FastifyReply, handler: string): void;
  finished(record: RequestRecord, request: FastifyRequest): void;
}

// The Go registry's names for its handlers (its metrics' `handler` label); referrers are newer than Go's.
const HANDLER_NAMES: Record<RegistryPath['kind'], string> = {
  base: 'base',
  catalog: 'catalog',
  tags: 'tags',
  manifest: 'manifest',
  blob: 'blob',
  uploads: 'blob_upload',
  upload: 'blob_upload_chunk',
  referrers: 'referrers',
};

// Per connection, its byte counts when its previous request ended: requests on a keep-alive
// connection follow each other, so the difference is this request's share.
const marks = new WeakMap<Socket, { read: number; written: number }>();

/** Calls each observer as requests start and end; the hooks see every request of `app`, 404s included. */
export function observeRequests(app: FastifyInstance, observers: RequestObserver[]): void {
  if (observers.length === 0) return;
  const handlers = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request, reply) => {
    const kind = registryPathOf(request.url)?.kind;
    const handler = kind === undefined ? 'other' : HANDLER_NAMES[kind];
    handlers.set(request, handler);
    for (const observer of observers) observer.started?.(request, reply, handler);
  });
  app.addHook('onResponse', async (request, reply) => {
    const socket = request.raw.socket;
    const mark = marks.get(socket) ?? { read: 0, written: 0 };
    const now = { read: socket.bytesRead, written: socket.bytesWritten };
    marks.set(socket, now);
    const user = requestUser(request);
    const record: RequestRecord = {
      method: request.method,
      path: request.url.split('?')[0]!,
      handler: handlers.get(request) ?? 'other',
      status: reply.statusCode,
      bytesReceived: now.read - mark.read,
      bytesSent: now.written - mark.written,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      remoteAddress: request.ip,
      ...(user !== undefined && { user }),
    };
    for (const observer of observers) observer.finished(record, request);
  });
}
