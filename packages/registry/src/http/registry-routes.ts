import type { ServerOptions as HttpsOptions } from 'node:https';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { RegistryBackend } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';
import { deleteBlob, getBlob } from './blob-handlers.js';
import { RegistryHttpError, sendError } from './error-body.js';
import type { Handler, HandlerContext, RegistryRoutesOptions } from './handler.js';
import { base, catalog, referrers, tags } from './listing-handlers.js';
import { deleteManifest, getManifest, putManifest } from './manifest-handlers.js';
import { refuseUnexpectedBody } from './request-body.js';
import { checkName, parseRegistryPath, type RegistryPath } from './route-path.js';
import { refuseWhileStopping } from './stopping.js';
import { appendUpload, cancelUpload, completeUpload, startUpload, uploadStatus } from './upload-handlers.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
type Endpoints = { [K in RegistryPath['kind']]: Partial<Record<Method, Handler<Extract<RegistryPath, { kind: K }>>>> };

const ENDPOINTS: Endpoints = {
  base: { GET: base, HEAD: base },
  catalog: { GET: catalog },
  tags: { GET: tags },
  manifest: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
  uploads: { POST: startUpload },
  upload: { GET: uploadStatus, PATCH: appendUpload, PUT: completeUpload, DELETE: cancelUpload },
  blob: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob },
  referrers: { GET: referrers },
};

/**
 * The OCI Distribution API under `/v2/`, as a fastify plugin. Repository names contain slashes, so one
 * wildcard route takes every path and `parseRegistryPath` finds the endpoint. Bodies are never parsed:
 * blobs stream from the request into the backend.
 */
export function registryRoutes(backend: RegistryBackend, options: RegistryRoutesOptions = {}): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    app.setErrorHandler((err, _request, reply) => sendError(reply, err));
    app.addHook('onRequest', async (_request, reply) => {
      void reply.header('Docker-Distribution-API-Version', 'registry/2.0');
    });
    const handler = (request: FastifyRequest, reply: FastifyReply) => dispatch({ backend, options, request, reply, query: firstValues(request.query) });
    app.route({ method: [...METHODS], url: '/v2', exposeHeadRoute: false, handler });
    app.route({ method: [...METHODS], url: '/v2/*', exposeHeadRoute: false, handler });
  };
}

export interface RegistryServerOptions extends RegistryRoutesOptions {
  /** The logger's level; requests are logged by fastify itself at `debug`. */
  logLevel?: string;
  /** fastify's logger options (level, destination, base fields); `logLevel` alone when absent. */
  logger?: Exclude<FastifyServerOptions['logger'], boolean>;
  /** Serve HTTPS with these options (`http.tls`). */
  https?: HttpsOptions;
}

/** A fastify server with the registry's routes and a spec-shaped 404 for every other path. */
export function createRegistryServer(backend: RegistryBackend, options: RegistryServerOptions = {}): FastifyInstance {
  const logLevel = options.logger?.level ?? options.logLevel ?? 'info';
  const app = Fastify({
    ...(options.https && { https: options.https }),
    logger: options.logger ?? { level: logLevel },
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' }),
    // A repository name alone may be 255 characters; digests and upload ids follow it.
    routerOptions: { maxParamLength: 4096 },
    // A connection idle this long is closed: a stalled body would otherwise hold its socket, and an
    // upload's lock, for good. A transfer that keeps moving is never cut off.
    connectionTimeout: 120_000,
    frameworkErrors: (err, _request, reply) => sendError(reply, new RegistryHttpError(400, 'UNSUPPORTED', err.message)),
    // refuseWhileStopping answers instead, with the spec's error body.
    return503OnClosing: false,
  });
  refuseWhileStopping(app);
  app.setErrorHandler((err, _request, reply) => sendError(reply, err));
  app.setNotFoundHandler((_request, reply) => sendError(reply, notFound()));
  void app.register(registryRoutes(backend, options));
  return app as unknown as FastifyInstance;
}

async function dispatch(context: HandlerContext): Promise<FastifyReply> {
  const { request } = context;
  const path = registryPathOf(request.url);
  if (!path) throw notFound();
  if ('name' in path) checkName(path.name);
  refuseUnexpectedBody(request);
  await context.options.authorize?.(context, path);
  const handler = ENDPOINTS[path.kind][request.method as Method] as Handler<RegistryPath> | undefined;
  if (!handler) throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.', { method: request.method, path: request.url.split('?')[0] });
  return handler(context, path);
}

/** The endpoint a request URL names, or undefined outside the API. */
export function registryPathOf(url: string): RegistryPath | undefined {
  const match = /^\/v2(?:\/([^?]*))?(?:\?|$)/.exec(url);
  return match ? parseRegistryPath(match[1] ?? '') : undefined;
}

function notFound(): RegistryHttpError {
  return new RegistryHttpError(404, 'NOT_FOUND', 'page not found');
}

function firstValues(query: unknown): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, string | string[]>)) values[key] = Array.isArray(value) ? value[0] : value;
  return values;
}
