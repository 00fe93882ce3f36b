import type { FastifyPluginAsync } from 'fastify';
import {
  CommitQuerySchema,
  ContainerConfigSchema,
  ImageCreateQuerySchema,
  InvalidArgumentError,
  NotImplementedError,
  StreamBodySchema,
  optionalBody,
  progressLine,
  type CommitQuery,
  type ContainerConfig,
  type ImageCreateQuery,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { drainRequest } from '../drain-request.js';
import { queryBool, queryList } from '../query.js';

/** moby's `repo` + `tag` pair: a tag given separately wins over one inside `repo`. */
function targetOf(query: { repo?: string; tag?: string }): string | undefined {
  const repo = query.repo ?? '';
  const tag = query.tag ?? '';
  if (repo === '') return undefined;
  return tag === '' ? repo : `${repo}:${tag}`;
}

/** `docker import` (POST /images/create?fromSrc=-) and `docker commit` (POST /commit). */
export function imageCreateRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const createSchema = { querystring: ImageCreateQuerySchema, body: StreamBodySchema };
    app.post<{ Querystring: ImageCreateQuery }>('/images/create', { schema: createSchema }, async (request, reply) => {
      const query = request.query;
      const fromSrc = query.fromSrc;
      if (fromSrc === undefined) {
        await drainRequest(request);
        throw new NotImplementedError('pulling images is not supported by this engine yet');
      }
      if (fromSrc !== '-') {
        await drainRequest(request);
        throw new InvalidArgumentError('importing from a URL is not supported: send the archive in the request body');
      }
      let id: string;
      try {
        const tag = targetOf(query);
        id = await engine.imageCreation.importArchive(request.raw, {
          ...(tag !== undefined ? { tag } : {}),
          message: query.message ?? '',
          source: fromSrc,
          changes: queryList(query.changes),
          platform: query.platform || undefined,
        });
      } catch (err) {
        await drainRequest(request);
        throw err;
      }
      return reply.header('Content-Type', 'application/json').send(progressLine({ status: id }));
    });

    const commitSchema = { querystring: CommitQuerySchema, body: optionalBody(ContainerConfigSchema) };
    app.post<{ Querystring: CommitQuery; Body: ContainerConfig | null }>('/commit', { schema: commitSchema }, async (request, reply) => {
      const query = request.query;
      const container = query.container ?? '';
      if (container === '') throw new InvalidArgumentError('no container specified');
      const tag = targetOf(query);
      const id = await engine.imageCreation.commit({
        container,
        ...(tag !== undefined ? { tag } : {}),
        comment: query.comment ?? '',
        author: query.author ?? '',
        pause: query.pause === undefined ? true : queryBool(query.pause),
        changes: queryList(query.changes),
        overrides: request.body ?? undefined,
      });
      return reply.status(201).send({ Id: id });
    });
  };
}
