import type { FastifyPluginAsync } from 'fastify';
import { SystemDfQuerySchema } from '@berth/api';
import type { Engine } from '../engine.js';

/** GET /system/df: what images, containers and volumes use; there is no build cache yet. */
export function systemDfRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.get('/system/df', { schema: { querystring: SystemDfQuerySchema } }, async () => {
      const containers = engine.containers.list({ all: true });
      const shared = engine.images.sharedSizes();
      const images = engine.images.list({ all: true }).map((image) => ({
        ...image,
        Containers: containers.filter((c) => c.ImageID === image.Id).length,
        SharedSize: shared.get(image.Id) ?? 0,
      }));
      const imageSize = (id: string): number => images.find((image) => image.Id === id)?.Size ?? 0;
      return {
        LayersSize: engine.images.layersSize(),
        Images: images,
        Containers: await engine.containers.withSizes(containers, imageSize),
        Volumes: await engine.volumes.usage(),
        BuildCache: [],
      };
    });
  };
}
