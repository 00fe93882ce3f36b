import type { FastifyPluginAsync } from 'fastify';
import { InvalidArgumentError, NotImplementedError, progressLine } from '@berth/api';
import { applyChanges } from '@berth/image';
import type { ImageRunConfig } from '@berth/oci';
import type { Engine } from '../engine.js';
import { drainRequest } from '../drain-request.js';
import { commitContainer } from '../../image/commit.js';
import { queryBool } from '../query.js';

function queryList(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** moby's `repo` + `tag` pair: a tag given separately wins over one inside `repo`. */
function targetOf(query: Record<string, unknown>): string | undefined {
  const repo = String(query.repo ?? '');
  const tag = String(query.tag ?? '');
  if (repo === '') return undefined;
  return tag === '' ? repo : `${repo}:${tag}`;
}

/** `docker import` (POST /images/create?fromSrc=-) and `docker commit` (POST /commit). */
export function imageCreateRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.post('/images/create', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const fromSrc = query.fromSrc === undefined ? undefined : String(query.fromSrc);
      if (fromSrc === undefined) {
        await drainRequest(request);
        throw new NotImplementedError('pulling images is not supported by this engine yet');
      }
      if (fromSrc !== '-') {
        await drainRequest(request);
        throw new InvalidArgumentError('importing from a URL is not supported: send the archive in the request body');
      }
      const message = String(query.message ?? '');
      let id: string;
      try {
        const tag = targetOf(query);
        id = await engine.images.create({
          layer: request.raw,
          runConfig: applyChanges({}, queryList(query.changes)),
          history: { comment: message === '' ? `Imported from ${fromSrc}` : message },
          comment: message === '' ? `Imported from ${fromSrc}` : message,
          ...(tag !== undefined ? { tag } : {}),
        });
      } catch (err) {
        await drainRequest(request);
        throw err;
      }
      return reply.header('Content-Type', 'application/json').send(progressLine({ status: id }));
    });

    app.post('/commit', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const container = String(query.container ?? '');
      if (container === '') throw new InvalidArgumentError('no container specified');
      const tag = targetOf(query);
      const id = await commitContainer(engine.containers, engine.images, {
        container,
        ...(tag !== undefined ? { tag } : {}),
        comment: String(query.comment ?? ''),
        author: String(query.author ?? ''),
        pause: query.pause === undefined ? true : queryBool(query.pause),
        changes: queryList(query.changes),
        overrides: (request.body ?? undefined) as Partial<ImageRunConfig> | undefined,
      });
      return reply.status(201).send({ Id: id });
    });
  };
}
