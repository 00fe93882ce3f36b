import type { FastifyPluginAsync } from 'fastify';
import {
  FiltersQuerySchema,
  InvalidArgumentError,
  NameParamsSchema,
  NoQuerySchema,
  UnreadBodySchema,
  VolumeCreateRequestSchema,
  VolumeRemoveQuerySchema,
  optionalBody,
  type FiltersQuery,
  type NameParams,
  type VolumeCreateRequest,
  type VolumeRemoveQuery,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { queryBool, queryFilters } from '../query.js';

/** `/volumes`: list, create, inspect, remove and prune volumes of the local driver. */
export function volumeRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const filtersSchema = { querystring: FiltersQuerySchema };
    const createSchema = { querystring: NoQuerySchema, body: optionalBody(VolumeCreateRequestSchema) };
    app.get<{ Querystring: FiltersQuery }>('/volumes', { schema: filtersSchema }, async (request) => ({
      Volumes: engine.volumes.list(queryFilters(request.query.filters)),
      Warnings: null,
    }));

    app.post<{ Body: VolumeCreateRequest | null }>('/volumes/create', { schema: createSchema }, async (request, reply) => {
      const body = request.body ?? {};
      if (body.ClusterVolumeSpec) throw new InvalidArgumentError('cluster volumes (ClusterVolumeSpec) are not supported: they are swarm\'s, and berthd runs no swarm');
      const volume = await engine.volumes.create({
        name: body.Name || undefined,
        driver: body.Driver || undefined,
        driverOpts: body.DriverOpts ?? undefined,
        labels: body.Labels ?? undefined,
      });
      return reply.status(201).send(volume);
    });

    app.post<{ Querystring: FiltersQuery }>('/volumes/prune', { schema: { ...filtersSchema, body: UnreadBodySchema } }, async (request) => {
      return engine.volumes.prune(queryFilters(request.query.filters));
    });

    app.get<{ Params: NameParams }>('/volumes/:name', { schema: { params: NameParamsSchema, querystring: NoQuerySchema } }, async (request) => engine.volumes.get(request.params.name));

    const removeSchema = { params: NameParamsSchema, querystring: VolumeRemoveQuerySchema };
    app.delete<{ Params: NameParams; Querystring: VolumeRemoveQuery }>('/volumes/:name', { schema: removeSchema }, async (request, reply) => {
      await engine.volumes.remove(request.params.name, { force: queryBool(request.query.force) });
      return reply.status(204).send();
    });
  };
}
