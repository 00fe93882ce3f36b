import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AuthorizationPolicy, AuthorizationRequest } from '../authz/authorization.js';
import { describeRequest, describeResponse } from '../authz/request-description.js';
import { errorReply } from './error-body.js';

/** JSON bodies as received, kept for the policy by the JSON content parser. */
const JSON_BODIES = new WeakMap<IncomingMessage, Buffer>();
/** Requests the policy allowed, for the check of their response. */
const ALLOWED = new WeakMap<IncomingMessage, AuthorizationRequest>();

/** Keeps a JSON body's bytes for the policy (the route gets the parsed value). */
export function keepJsonBody(raw: IncomingMessage, body: Buffer): void {
  JSON_BODIES.set(raw, body);
}

/**
 * Asks the policy about every routed request once its body is read and before any handler runs (a path
 * with no route is dockerd's 404, unasked, as dockerd's router answers it before its middlewares), then
 * about the response when it is buffered. A streamed response is not checked: it leaves as it is
 * produced, as dockerd checks only what it buffered (hijacked ones are checked in hijack.ts, request only).
 */
export function authorizeRoutes(app: FastifyInstance, policy: AuthorizationPolicy): void {
  app.addHook('preValidation', async (request) => {
    if (request.is404) return;
    const { raw } = request;
    const described = describeRequest({ method: raw.method ?? '', uri: request.originalUrl, rawHeaders: raw.rawHeaders, socket: raw.socket }, JSON_BODIES.get(raw));
    await policy.authorizeRequest(described);
    ALLOWED.set(raw, described);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const described = ALLOWED.get(request.raw);
    if (!described || payload instanceof Readable) return payload;
    ALLOWED.delete(request.raw);
    const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
    try {
      await policy.authorizeResponse(described, describeResponse(described.RequestUri, reply.statusCode, reply.getHeaders(), body));
      return payload;
    } catch (err) {
      // dockerd reports the handler's own error over the policy's verdict on it.
      if (reply.statusCode >= 400) return payload;
      const refusal = errorReply(err, request.log);
      void reply.code(refusal.status).header('Content-Type', 'application/json');
      return refusal.body;
    }
  });
}
