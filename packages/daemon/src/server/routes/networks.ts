import type { FastifyPluginAsync } from 'fastify';
import {
  FiltersQuerySchema,
  IdParamsSchema,
  NetworkConnectRequestSchema,
  NetworkCreateRequestSchema,
  NetworkDisconnectRequestSchema,
  NetworkInspectQuerySchema,
  NoQuerySchema,
  UnreadBodySchema,
  type FiltersQuery,
  type IdParams,
  type NetworkConnectRequest,
  type NetworkCreateRequest,
  type NetworkDisconnectRequest,
} from '@berth/api';
import type { Engine } from '../engine.js';
import { queryFilters } from '../query.js';

/** `/networks`: list, inspect, create, remove and prune networks; connect and disconnect containers. */
export function networkRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    const filtersSchema = { querystring: FiltersQuerySchema };
    app.get<{ Querystring: FiltersQuery }>('/networks', { schema: filtersSchema }, async (request) => engine.networks.list(queryFilters(request.query.filters)));

    app.post<{ Body: NetworkCreateRequest }>('/networks/create', { schema: { querystring: NoQuerySchema, body: NetworkCreateRequestSchema } }, async (request, reply) => {
      return reply.status(201).send(await engine.networks.create(request.body));
    });

    app.post<{ Querystring: FiltersQuery }>('/networks/prune', { schema: { ...filtersSchema, body: UnreadBodySchema } }, async (request) => engine.networks.prune(queryFilters(request.query.filters)));

    app.get<{ Params: IdParams }>('/networks/:id', { schema: { params: IdParamsSchema, querystring: NetworkInspectQuerySchema } }, async (request) => engine.networks.inspect(request.params.id));

    app.delete<{ Params: IdParams }>('/networks/:id', { schema: { params: IdParamsSchema, querystring: NoQuerySchema } }, async (request, reply) => {
      await engine.networks.remove(request.params.id);
      return reply.status(204).send();
    });

    const connectSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: NetworkConnectRequestSchema };
    app.post<{ Params: IdParams; Body: NetworkConnectRequest }>('/networks/:id/connect', { schema: connectSchema }, async (request, reply) => {
      await engine.networks.connect(request.params.id, request.body.Container, request.body.EndpointConfig);
      return reply.status(200).send();
    });

    const disconnectSchema = { params: IdParamsSchema, querystring: NoQuerySchema, body: NetworkDisconnectRequestSchema };
    app.post<{ Params: IdParams; Body: NetworkDisconnectRequest }>('/networks/:id/disconnect', { schema: disconnectSchema }, async (request, reply) => {
      await engine.networks.disconnect(request.params.id, request.body.Container);
      return reply.status(200).send();
    });
  };
}
