import type { FastifyPluginAsync } from 'fastify';
import { InvalidArgumentError } from '@berth/api';
import type { Engine } from '../engine.js';
import { queryBool, queryFilters } from '../query.js';

interface CreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new InvalidArgumentError(`invalid ${field}: expected an object of strings`);
  }
  return value as Record<string, string>;
}

/** `/volumes`: list, create, inspect, remove and prune volumes of the local driver. */
export function volumeRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get('/volumes', async (request) => {
      const query = request.query as Record<string, unknown>;
      return { Volumes: engine.volumes.list(queryFilters(query.filters)), Warnings: null };
    });

    app.post('/volumes/create', async (request, reply) => {
      const body = (request.body ?? {}) as CreateBody;
      if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('invalid volume create request');
      const volume = await engine.volumes.create({
        name: body.Name || undefined,
        driver: body.Driver || undefined,
        driverOpts: stringMap(body.DriverOpts, 'DriverOpts'),
        labels: stringMap(body.Labels, 'Labels'),
      });
      return reply.status(201).send(volume);
    });

    app.post('/volumes/prune', async (request) => {
      const query = request.query as Record<string, unknown>;
      return engine.volumes.prune(queryFilters(query.filters));
    });

    app.get<{ Params: { name: string } }>('/volumes/:name', async (request) => engine.volumes.get(request.params.name));

    app.delete<{ Params: { name: string } }>('/volumes/:name', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      await engine.volumes.remove(request.params.name, { force: queryBool(query.force) });
      return reply.status(204).send();
    });
  };
}
