import type { ImageStore } from '@berth/image';
import type { VolumeStore } from '@berth/volume';
import type { ContainerService } from '../container/container-service.js';
import type { EventLog } from '../events/event-log.js';
import type { EngineEvents } from '../events/engine-events.js';
import type { ExecService } from '../exec/exec-service.js';
import type { ArchiveService } from '../container/archive.js';

/** What the API routes are given: the services, never the adapters behind them. */
export interface Engine {
  containers: ContainerService;
  /** The read side of events: replay and live subscriptions for `/events`. */
  events: EventLog;
  /** Where routes report what they did themselves (prunes, commits). */
  report: EngineEvents;
  execs: ExecService;
  archives: ArchiveService;
  images: ImageStore;
  volumes: VolumeStore;
  config: { dataRoot: string; execRoot: string; runtime: string };
  startedAt: Date;
  id: string;
  /** What `docker info` warns about, such as a runtime accepted without a security fix. */
  warnings: string[];
}
