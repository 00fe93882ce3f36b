import type { FastifyPluginAsync } from 'fastify';
import { InvalidArgumentError, SystemDfQuerySchema, type SystemDfQuery } from '@berth/api';
import type { Engine } from '../engine.js';

const OBJECT_TYPES = ['container', 'image', 'volume', 'build-cache'] as const;

/**
 * GET /system/df: what images, containers and volumes use; there is no build cache yet. `type` limits
 * the answer to some of them, the others being null, as moby answers.
 */
export function systemDfRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: SystemDfQuery }>('/system/df', { schema: { querystring: SystemDfQuerySchema } }, async (request) => {
      const types = request.query.type;
      const wanted = new Set<string>(types === undefined ? OBJECT_TYPES : [types].flat());
      const unknown = [...wanted].find((type) => !(OBJECT_TYPES as readonly string[]).includes(type));
      if (unknown !== undefined) throw new InvalidArgumentError(`unknown object type: ${unknown}`);
      const containers = engine.inspection.list({ all: true });
      const shared = engine.images.sharedSizes();
      const images = engine.images.list({ all: true }).map((image) => ({
        ...image,
        Containers: containers.filter((c) => c.ImageID === image.Id).length,
        SharedSize: shared.get(image.Id) ?? 0,
      }));
      const imageSize = (id: string): number => images.find((image) => image.Id === id)?.Size ?? 0;
      return {
        LayersSize: wanted.has('image') ? engine.images.layersSize() : 0,
        Images: wanted.has('image') ? images : null,
        Containers: wanted.has('container') ? await engine.inspection.withSizes(containers, imageSize) : null,
        Volumes: wanted.has('volume') ? await engine.volumes.usage() : null,
        BuildCache: wanted.has('build-cache') ? [] : null,
      };
    });
  };
}
