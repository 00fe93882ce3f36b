import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  FiltersQuerySchema,
  ImageRemoveQuerySchema,
  ImageSaveQuerySchema,
  ImageTagQuerySchema,
  InvalidArgumentError,
  UnreadBodySchema,
  WildcardParamsSchema,
  type FiltersQuery,
  type ImageRemoveQuery,
  type ImageSaveQuery,
  type ImageTagQuery,
  type WildcardParams,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { ProgressResponse } from '../progress-response.js';
import { queryBool, queryFilters, queryList } from '../query.js';
import { registryAuth } from '../registry-auth.js';

/** `platform` on save is API 1.48's: refused rather than ignored on both save routes. */
export function refuseSavePlatform(platform: string | undefined): void {
  if (platform) throw new InvalidArgumentError('platform is not supported by image save in API v1.47: images are saved as stored');
}

/** Tag, remove, prune and save: the image routes that change or export the store. */
export function imageManageRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: ImageSaveQuery }>('/images/get', { schema: { querystring: ImageSaveQuerySchema } }, async (request, reply) => {
      refuseSavePlatform(request.query.platform);
      // No names is an archive of no images, as dockerd sends it.
      return reply.header('Content-Type', 'application/x-tar').send(await engine.images.save(queryList(request.query.names)));
    });

    app.post<{ Querystring: FiltersQuery }>('/images/prune', { schema: { querystring: FiltersQuerySchema, body: UnreadBodySchema } }, async (request) => {
      return engine.images.prune(queryFilters(request.query.filters));
    });

    // Names contain slashes: `/images/{name}/tag` and `/images/{name}/push` are matched as a wildcard (which the
    // router has decoded) and split here.
    const tagSchema = { params: WildcardParamsSchema, querystring: ImageTagQuerySchema, body: UnreadBodySchema };
    app.post<{ Params: WildcardParams; Querystring: ImageTagQuery }>('/images/*', { schema: tagSchema }, async (request, reply) => {
      const wildcard = request.params['*'];
      if (wildcard.endsWith('/push')) return push(engine, wildcard.slice(0, -'/push'.length), request.query, request.headers['x-registry-auth'], reply);
      if (!wildcard.endsWith('/tag')) return reply.callNotFound();
      const name = wildcard.slice(0, -'/tag'.length);
      const repo = request.query.repo ?? '';
      const tag = request.query.tag ?? '';
      if (repo === '') throw new InvalidArgumentError('repository name must have at least one component');
      await engine.images.tag(name, tag === '' ? repo : `${repo}:${tag}`);
      return reply.status(201).send();
    });

    const removeSchema = { params: WildcardParamsSchema, querystring: ImageRemoveQuerySchema };
    app.delete<{ Params: WildcardParams; Querystring: ImageRemoveQuery }>('/images/*', { schema: removeSchema }, async (request) => {
      const name = request.params['*'];
      const query = request.query;
      return engine.images.remove(name, { force: queryBool(query.force), noPrune: queryBool(query.noprune) });
    });
  };
}

/** `docker push`: progress streams from the first line; a failure after it is the stream's last message. */
async function push(engine: Engine, name: string, query: ImageTagQuery, authHeader: string | string[] | undefined, reply: FastifyReply): Promise<void> {
  if (query.platform) throw new InvalidArgumentError('platform is not supported by push yet: the image is pushed for its own platform');
  if (query.repo) throw new InvalidArgumentError('repo applies to a tag, not to a push: name the repository in the path');
  const progress = new ProgressResponse(reply);
  try {
    await engine.registries.push(name, { ...(query.tag ? { tag: query.tag } : {}), ...registryAuth(authHeader), onProgress: (message) => progress.write(message), signal: progress.signal });
  } catch (err) {
    if (progress.hasStarted) return progress.end(err);
    throw err;
  }
  progress.end();
}
