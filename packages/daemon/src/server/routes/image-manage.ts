import type { FastifyPluginAsync } from 'fastify';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import type { Engine } from '../engine.js';
import { queryBool, queryFilters } from '../query.js';

/** `?names=a&names=b` (or a single `names=a`) as a list. */
function queryList(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Tag, remove, prune and save: the image routes that change or export the store. */
export function imageManageRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get('/images/get', async (request, reply) => {
      const names = queryList((request.query as Record<string, unknown>).names);
      if (names.length === 0) throw new InvalidArgumentError('no images specified');
      return reply.header('Content-Type', 'application/x-tar').send(await engine.images.save(names));
    });

    app.post('/images/prune', async (request) => {
      const filters = queryFilters((request.query as Record<string, unknown>).filters);
      const report = await engine.images.prune({ filters, isInUse: (id) => engine.containers.usersOfImage(id).length > 0 });
      return { ImagesDeleted: report.ImagesDeleted.length > 0 ? report.ImagesDeleted : null, SpaceReclaimed: report.SpaceReclaimed };
    });

    // Names contain slashes: `/images/{name}/tag` is matched as a wildcard and split here.
    app.post('/images/*', async (request, reply) => {
      const wildcard = (request.params as { '*': string })['*'];
      if (!wildcard.endsWith('/tag')) throw new NotFoundError('page not found');
      const name = decodeURIComponent(wildcard.slice(0, -'/tag'.length));
      const query = request.query as Record<string, unknown>;
      const repo = String(query.repo ?? '');
      const tag = String(query.tag ?? '');
      if (repo === '') throw new InvalidArgumentError('repository name must have at least one component');
      await engine.images.tag(name, tag === '' ? repo : `${repo}:${tag}`);
      return reply.status(201).send();
    });

    app.delete('/images/*', async (request) => {
      const name = decodeURIComponent((request.params as { '*': string })['*']);
      const query = request.query as Record<string, unknown>;
      return engine.images.remove(name, {
        force: queryBool(query.force),
        noPrune: queryBool(query.noprune),
        usersOf: (id) => engine.containers.usersOfImage(id),
      });
    });
  };
}
