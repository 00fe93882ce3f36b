import type { ImageStore } from '@berth/image';
import type { ContainerService } from '../container/container-service.js';

/** What the API routes are given: the services, never the adapters behind them. */
export interface Engine {
  containers: ContainerService;
  images: ImageStore;
  config: { dataRoot: string; execRoot: string; runtime: string };
  startedAt: Date;
  id: string;
}
