import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError, REQUEST_PART_SUBJECTS, assertMatchesSchema } from '@berth/api';
import type { Engine } from './engine.js';
import type { FaultLog } from './error-body.js';
import { JSON_BODY_LIMIT } from './body-limit.js';
import { serveHijacked } from './raw-response.js';
import { routeUpgrade } from './upgrade-route.js';
import type { AuthorizationPolicy } from '../authz/authorization.js';
import { describeRequest } from '../authz/request-description.js';

/**
 * The one dispatcher of requests carrying `Upgrade:` (docker CLI attach and exec start), which arrive
 * here instead of fastify: it routes them to the hijacked routes the route files declare, checks their
 * parts against the routes' schemas, and hands the handler the raw socket, kept half-open so output
 * produced after the client closes its stdin still reaches it. Only the endpoints of HIJACKED_ROUTES come
 * here (fastify answers other upgrade requests). Nothing a client sends may throw out of here: a bad URL
 * or request is a 400, and any other failure ends this one connection.
 */
export function handleUpgrade(engine: Engine, req: IncomingMessage, socket: Duplex, head: Buffer, log: FaultLog, authorization?: AuthorizationPolicy): void {
  socket.on('error', () => undefined);
  void serveHijacked(socket, log, async () => {
    if (head.length) socket.unshift(head);
    const { route, params, query, version } = routeUpgrade(req.method, req.url);
    const bodyBytes = route.schema.body ? await readUpgradeBody(socket, Number(req.headers['content-length'] ?? 0)) : undefined;
    // Before anything of the request is acted on, as for the routes fastify serves (authorization-hooks.ts).
    await authorization?.authorizeRequest(describeRequest({ method: req.method ?? '', uri: req.url ?? '/', rawHeaders: req.rawHeaders, socket: req.socket }, bodyBytes));
    const { params: paramsSubject, querystring: querySubject, body: bodySubject } = REQUEST_PART_SUBJECTS;
    const checkedParams = assertMatchesSchema(route.schema.params, params, paramsSubject);
    const checkedQuery = assertMatchesSchema(route.schema.querystring, query, querySubject);
    const body = route.schema.body ? assertMatchesSchema(route.schema.body, parseUpgradeBody(bodyBytes), bodySubject) : null;
    await route.handler(engine, { params: checkedParams, query: checkedQuery, body, raw: req, socket, apiVersion: version });
  });
}

/** Reads the body that precedes the raw stream on an upgraded request (at most JSON_BODY_LIMIT bytes). */
async function readUpgradeBody(socket: Duplex, length: number): Promise<Buffer | undefined> {
  if (!length) return undefined;
  if (length > JSON_BODY_LIMIT) throw new InvalidArgumentError(`request body is too large: ${length} bytes, the limit is ${JSON_BODY_LIMIT}`);
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < length) {
    const chunk = (socket.read() as Buffer | null) ?? (await nextReadable(socket));
    if (!chunk) break;
    const needed = length - total;
    if (chunk.length > needed) {
      socket.unshift(chunk.subarray(needed));
      chunks.push(chunk.subarray(0, needed));
      total += needed;
    } else {
      chunks.push(chunk);
      total += chunk.length;
    }
  }
  return Buffer.concat(chunks);
}

/** The JSON of an upgraded request's body; `null` for none, as fastify gives an empty body. */
function parseUpgradeBody(body: Buffer | undefined): unknown {
  const text = body?.toString('utf8').trim();
  try {
    return text ? JSON.parse(text) : null;
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function nextReadable(socket: Duplex): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const onReadable = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk) {
        done();
        resolve(chunk);
      }
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}
