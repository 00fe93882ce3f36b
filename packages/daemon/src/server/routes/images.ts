import type { FastifyPluginAsync } from 'fastify';
import {
  ImageListQuerySchema,
  ImageLoadQuerySchema,
  InvalidArgumentError,
  ImageSaveQuerySchema,
  StreamBodySchema,
  WildcardParamsSchema,
  type ImageListQuery,
  type ImageLoadQuery,
  type ImageSaveQuery,
  type ProgressMessage,
  type WildcardParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { drainRequest } from '../drain-request.js';
import { requestBody } from '../request-body.js';
import { ProgressResponse } from '../progress-response.js';
import { queryBool, queryFilters } from '../query.js';
import { splitVersionedUrl } from '../api-version.js';
import { imageInspectForVersion } from '../image-inspect-versions.js';
import { refuseSavePlatform } from './image-manage.js';

/**
 * Image names contain slashes, so `/images/{name}/json` is matched as a wildcard and split here. The router
 * has decoded the wildcard once, as Go's router decodes a path: decoding it again would read `%25` as `%`
 * and fail on a name holding a `%`.
 */
function splitImagePath(wildcard: string, suffix: string): string | undefined {
  return wildcard.endsWith(`/${suffix}`) ? wildcard.slice(0, -suffix.length - 1) : undefined;
}

export function imageRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    // `digests` changes nothing: RepoDigests are always listed, as moby lists them.
    app.get<{ Querystring: ImageListQuery }>('/images/json', { schema: { querystring: ImageListQuerySchema } }, async (request) => {
      const query = request.query;
      return engine.images.list({
        all: queryBool(query.all),
        filters: queryFilters(query.filters),
        sharedSize: queryBool(query['shared-size']),
        manifests: queryBool(query.manifests),
      });
    });

    // Only `/images/{name}/get` reads a query (ImageSaveQuery's platform); the other GETs take none.
    const wildcardSchema = { params: WildcardParamsSchema, querystring: ImageSaveQuerySchema };
    app.get<{ Params: WildcardParams; Querystring: ImageSaveQuery }>('/images/*', { schema: wildcardSchema }, async (request, reply) => {
      const wildcard = request.params['*'];
      const name = splitImagePath(wildcard, 'json');
      if (name !== undefined) return imageInspectForVersion(engine.images.inspect(name), splitVersionedUrl(request.originalUrl).version);
      const historyOf = splitImagePath(wildcard, 'history');
      if (historyOf !== undefined) return engine.images.history(historyOf);
      const saved = splitImagePath(wildcard, 'get');
      if (saved !== undefined) {
        refuseSavePlatform(request.query.platform);
        return reply.header('Content-Type', 'application/x-tar').send(await engine.images.save([saved]));
      }
      return reply.callNotFound();
    });

    const loadSchema = { querystring: ImageLoadQuerySchema, body: StreamBodySchema };
    app.post<{ Querystring: ImageLoadQuery }>('/images/load', { schema: loadSchema }, async (request, reply) => {
      const query = request.query;
      if (query.platform) {
        await drainRequest(request);
        throw new InvalidArgumentError('platform is not supported by image load in API v1.47: the archive is loaded for the host platform');
      }
      // moby's default is quiet: layer progress only for `quiet=0` (the docker CLI on a terminal).
      const quiet = query.quiet === undefined || queryBool(query.quiet);
      const progress = new ProgressResponse(reply);
      try {
        const onProgress = (message: ProgressMessage): void => {
          if (!quiet || message.stream !== undefined) progress.write(message);
        };
        const loaded = await engine.images.load(requestBody(request.raw, reply.raw), { onProgress });
        for (const line of loaded) progress.write({ stream: `${line}\n` });
      } catch (err) {
        if (progress.hasStarted) return progress.end(err);
        await drainRequest(request);
        throw err;
      }
      progress.end();
    });
  };
}
