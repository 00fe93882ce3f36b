import type { FastifyPluginAsync } from 'fastify';
import {
  BuildPruneQuerySchema,
  BuildQuerySchema,
  InvalidArgumentError,
  StreamBodySchema,
  UnreadBodySchema,
  type BuildPruneQuery,
  type BuildQuery,
  type ProgressMessage,
} from '@berth/api';
import { drainRequest } from '../drain-request.js';
import { requestBody } from '../request-body.js';
import type { Engine } from '../engine.js';
import { ProgressResponse } from '../progress-response.js';
import { queryBool, queryFilters, queryInt, queryList } from '../query.js';

/** A JSON object of strings (`buildargs` also allows null values), or a 400 naming the parameter. */
function jsonMap(text: string | undefined, name: string, nullable: boolean): Record<string, string | null> {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`invalid ${name}: ${text}`);
  }
  if (parsed === null) return {};
  const valid =
    typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string' || (nullable && v === null));
  if (!valid) throw new InvalidArgumentError(`invalid ${name}: ${text}`);
  return parsed as Record<string, string | null>;
}

/** The `X-Registry-Config` header: base64 JSON of credentials per registry; moby ignores one it cannot read. */
function registryConfig(header: string | string[] | undefined): Record<string, { username?: string; password?: string }> {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, { username?: string; password?: string }>) : {};
  } catch {
    return {};
  }
}

const NETWORK_MODES = new Set(['', 'default', 'bridge', 'none', 'host']);

/** Parameters of `POST /build` the classic builder here does not honour: refused unless left at their defaults. */
function refuseUnsupported(query: BuildQuery): void {
  const set = (value: string | undefined): boolean => value !== undefined && value !== '' && value !== '0';
  if (query.version === '2') throw new InvalidArgumentError('BuildKit (version=2) is not supported: berthd runs the classic builder (DOCKER_BUILDKIT=0)');
  if (set(query.remote)) throw new InvalidArgumentError('remote build contexts (git or URL) are not supported: send the context as a tar');
  if (query.cachefrom !== undefined && !['', '[]', 'null'].includes(query.cachefrom)) throw new InvalidArgumentError('--cache-from is not supported');
  if (queryBool(query.squash)) throw new InvalidArgumentError('--squash is not supported');
  if (set(query.outputs) && query.outputs !== '[]') throw new InvalidArgumentError('--output is not supported by the classic builder');
  if (set(query.extrahosts)) throw new InvalidArgumentError('--add-host is not supported by the builder yet');
  if (query.ulimits !== undefined && !['', '[]', 'null'].includes(query.ulimits)) throw new InvalidArgumentError('--ulimit is not supported by the builder yet');
  if (set(query.cgroupparent)) throw new InvalidArgumentError('--cgroup-parent is not supported by the builder yet');
  if (set(query.isolation) && query.isolation !== 'default') throw new InvalidArgumentError(`isolation "${query.isolation}" is not supported on Linux`);
  if (query.securityopt !== undefined && !['', '[]', 'null'].includes(query.securityopt)) throw new InvalidArgumentError('--security-opt is not supported by the builder yet');
  for (const key of ['memory', 'memswap', 'cpushares', 'cpuperiod', 'cpuquota', 'shmsize', 'cpusetcpus', 'cpusetmems'] as const) {
    if (set(query[key])) throw new InvalidArgumentError(`${key} is not supported by the builder yet: step containers run without resource limits`);
  }
  if (!NETWORK_MODES.has(query.networkmode ?? '')) throw new InvalidArgumentError(`network mode "${query.networkmode}" is not supported by the builder: use default, none or host`);
}

/** POST /build (moby's classic builder stream) and POST /build/prune. */
export function buildRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Querystring: BuildQuery }>('/build', { schema: { querystring: BuildQuerySchema, body: StreamBodySchema } }, async (request, reply) => {
      const query = request.query;
      let job;
      try {
        refuseUnsupported(query);
        job = {
          request: {
            ...(query.dockerfile ? { dockerfile: query.dockerfile } : {}),
            tags: queryList(query.t),
            buildArgs: jsonMap(query.buildargs, 'buildargs', true),
            labels: jsonMap(query.labels, 'labels', false) as Record<string, string>,
            noCache: queryBool(query.nocache),
            pull: queryBool(query.pull),
            ...(query.target ? { target: query.target } : {}),
            networkMode: query.networkmode === undefined || query.networkmode === '' || query.networkmode === 'bridge' ? 'default' : query.networkmode,
            remove: query.rm === undefined || queryBool(query.rm),
            forceRemove: queryBool(query.forcerm),
          },
          ...(query.platform ? { platform: query.platform } : {}),
          auths: registryConfig(request.headers['x-registry-config']),
          // Last: once the body is piped, nothing may fail before the builder reads it.
          body: requestBody(request.raw, reply.raw),
        };
      } catch (err) {
        await drainRequest(request);
        throw err;
      }
      // moby's `q`: nothing but the ID on success; after a failure, what was held back, then the error.
      const quiet = queryBool(query.q);
      const held: ProgressMessage[] = [];
      const progress = new ProgressResponse(reply);
      const send = (message: ProgressMessage): void => {
        if (quiet) held.push(message);
        else progress.write(message);
      };
      try {
        const id = await engine.builds.build(
          job,
          { write: (text) => send({ stream: text }), progress: send, built: (imageId) => !quiet && progress.write({ aux: { ID: imageId } }) },
          progress.signal,
        );
        if (quiet) progress.write({ stream: `${id}\n` });
      } catch (err) {
        if (held.length > 0) for (const message of held) progress.write(message);
        if (progress.hasStarted) return progress.end(err);
        await drainRequest(request);
        throw err;
      }
      progress.end();
    });

    app.post<{ Querystring: BuildPruneQuery }>('/build/prune', { schema: { querystring: BuildPruneQuerySchema, body: UnreadBodySchema } }, async (request) => {
      const keepStorage = queryInt(request.query['keep-storage'], 'keep-storage');
      const report = await engine.builds.prune({ ...(keepStorage !== undefined ? { keepStorage } : {}), filters: queryFilters(request.query.filters) });
      return { CachesDeleted: report.CachesDeleted.length > 0 ? report.CachesDeleted : null, SpaceReclaimed: report.SpaceReclaimed };
    });
  };
}
