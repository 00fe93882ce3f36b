import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { InvalidArgumentError, MAX_REQUEST_HEAD_BYTES, NotFoundError } from '@berth/api';
import { splitVersionedUrl } from './api-version.js';
import { COMMON_HEADERS } from './headers.js';
import { errorReply, type ErrorReply } from './error-body.js';
import { handleUpgrade } from './hijack.js';
import { lazyValidatorFactory } from './lazy-validator.js';
import { formatSchemaErrors } from './validation-errors.js';
import { JSON_BODY_LIMIT } from './body-limit.js';
import type { Engine } from './engine.js';
import { ROUTE_FILES } from './routes/index.js';
import type { AuthorizationPolicy } from '../authz/authorization.js';
import { authorizeRoutes, keepJsonBody } from './authorization-hooks.js';
import { assertNoFragment } from './request-target.js';
import { traceStep, tracing } from '../util/step-trace.js';

const VERSION_ERROR = Symbol('berth.apiVersionError');
type VersionedRequest = IncomingMessage & { [VERSION_ERROR]?: string };

/** The Engine API server: fastify for ordinary routes, one `upgrade` dispatcher for hijacked streams. */
export function createServer(engine: Engine, options: { logLevel?: string; authorization?: AuthorizationPolicy } = {}): FastifyInstance {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    logController: new LogController({ disableRequestLogging: options.logLevel !== 'debug' }),
    bodyLimit: JSON_BODY_LIMIT,
    // Docker answers HEAD only where the API defines it (/_ping, archive): elsewhere it is a 404.
    exposeHeadRoutes: false,
    // Names and IDs in paths are as long as the request head allows, as in Docker (find-my-way's default is 100).
    routerOptions: { maxParamLength: MAX_REQUEST_HEAD_BYTES },
    // Coercion would turn the `null` lists clients send into [""], so query schemas describe strings.
    // `verbose` keeps the failing value and schema on each error, for a message that names both.
    ajv: { customOptions: { coerceTypes: false, verbose: true } },
    schemaErrorFormatter: formatSchemaErrors,
    schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory() } },
    // A URL fastify cannot route (`http://[::1/…`): a 400 in Docker's error format, as dockerd refuses one.
    frameworkErrors: (err, request, reply) => sendError(reply, errorReply(new InvalidArgumentError(err.message), request.log)),
    rewriteUrl(req) {
      const split = splitVersionedUrl(req.url ?? '/');
      if (split.error) (req as VersionedRequest)[VERSION_ERROR] = split.error;
      return split.url;
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    assertNoFragment(request.originalUrl);
    // dockerd checks the version of a request it routes; for any other path the answer is its 404.
    if (request.is404) return;
    reply.headers(COMMON_HEADERS);
    const versionError = (request.raw as VersionedRequest)[VERSION_ERROR];
    if (versionError) throw new InvalidArgumentError(versionError);
  });

  // Docker clients send empty bodies with a JSON content type; an empty body means "no options".
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (options.authorization) keepJsonBody(request.raw, body as Buffer);
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const parseError = Object.assign(new Error(`invalid JSON: ${(err as Error).message}`), { statusCode: 400 });
      done(parseError, undefined);
    }
  });
  // Everything else (tar archives for load, import, build) stays a stream for the route to consume.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.setErrorHandler((err, request, reply) => sendError(reply, errorReply(err, request.log)));
  // dockerd's answer to a path or method it has no route for: its error body, none of the headers it puts on routed requests.
  app.setNotFoundHandler((request, reply) => {
    for (const name of Object.keys(COMMON_HEADERS)) reply.removeHeader(name);
    sendError(reply, errorReply(new NotFoundError('page not found'), request.log));
  });

  // The one place requests are authorized: every routed request here, every hijacked one in handleUpgrade.
  if (options.authorization) authorizeRoutes(app, options.authorization);
  if (tracing) {
    app.addHook('onRequest', async (request) => traceStep('api', `request ${request.method} ${request.url}`));
    app.addHook('onResponse', async (request) => traceStep('api', `response ${request.method} ${request.url}`));
    app.server.prependListener('upgrade', (req: IncomingMessage) => traceStep('api', `upgrade ${req.method} ${req.url}`));
  }
  app.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => handleUpgrade(engine, req, socket, head, app.log, options.authorization));

  for (const routes of ROUTE_FILES) void app.register(routes(engine));
  return app;
}

function sendError(reply: FastifyReply, { status, body }: ErrorReply): void {
  // The docker CLI decodes an error body only when the type is exactly application/json (no charset).
  if (body) void reply.header('Content-Type', 'application/json');
  void reply.status(status).send(body);
}
