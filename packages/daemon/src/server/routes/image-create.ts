import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  CommitQuerySchema,
  ContainerConfigSchema,
  ImageCreateQuerySchema,
  InvalidArgumentError,
  UnreadBodySchema,
  optionalBody,
  progressLine,
  type CommitQuery,
  type ContainerConfig,
  type ImageCreateQuery,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { drainRequest } from '../drain-request.js';
import { requestBody } from '../request-body.js';
import { ProgressResponse } from '../progress-response.js';
import { registryAuth } from '../registry-auth.js';
import { queryBool, queryList } from '../query.js';

/** moby's `repo` + `tag` pair: a tag given separately wins over one inside `repo`. */
function targetOf(query: { repo?: string; tag?: string }): string | undefined {
  const repo = query.repo ?? '';
  const tag = query.tag ?? '';
  if (repo === '') return undefined;
  return tag === '' ? repo : `${repo}:${tag}`;
}

/**
 * `docker pull` (POST /images/create?fromImage=): progress streams once the image is resolved; a
 * failure before that (a bad reference, a missing manifest) is an HTTP error, after it the stream's
 * last message. A `fromImage` without `tag` pulls every tag, as moby does for `--all-tags`.
 */
async function pull(engine: Engine, authHeader: string | string[] | undefined, query: ImageCreateQuery, reply: FastifyReply): Promise<void> {
  const image = query.fromImage ?? '';
  if (image === '') throw new InvalidArgumentError('fromImage or fromSrc is required');
  for (const key of ['repo', 'message', 'changes'] as const) {
    if (query[key] !== undefined && query[key] !== '') throw new InvalidArgumentError(`${key} applies to an import (fromSrc), not to a pull (fromImage)`);
  }
  const progress = new ProgressResponse(reply);
  try {
    await engine.registries.pull(image, {
      ...(query.tag ? { tag: query.tag } : {}),
      ...(query.platform ? { platform: query.platform } : {}),
      ...registryAuth(authHeader),
      allTags: !query.tag && !/[:@][^/]*$/.test(image),
      onProgress: (message) => progress.write(message),
      signal: progress.signal,
    });
  } catch (err) {
    if (progress.hasStarted) return progress.end(err);
    throw err;
  }
  progress.end();
}

/** `docker import` (POST /images/create?fromSrc=-) and `docker commit` (POST /commit). */
export function imageCreateRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    // A pull's body is unread (dockerode sends `{}`); an import's must be the raw archive, checked below.
    const createSchema = { querystring: ImageCreateQuerySchema, body: UnreadBodySchema };
    app.post<{ Querystring: ImageCreateQuery }>('/images/create', { schema: createSchema }, async (request, reply) => {
      const query = request.query;
      const fromSrc = query.fromSrc;
      if (fromSrc === undefined) {
        await drainRequest(request);
        return pull(engine, request.headers['x-registry-auth'], query, reply);
      }
      if (request.body !== null && request.body !== undefined) {
        throw new InvalidArgumentError('invalid request body: must be a raw stream (sent with a non-JSON content type), not an object');
      }
      if (fromSrc !== '-') {
        await drainRequest(request);
        throw new InvalidArgumentError('importing from a URL is not supported: send the archive in the request body');
      }
      let id: string;
      try {
        const tag = targetOf(query);
        id = await engine.imageCreation.importArchive(requestBody(request.raw, reply.raw), {
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
