import type { ArchiveService } from '../archive/archive.js';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { ContainerIo } from '../container/io-service.js';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import type { ContainerMaintenance } from '../container/maintenance-service.js';
import type { EngineEvents } from '../events/engine-events.js';
import type { EventLog } from '../events/event-log.js';
import type { ExecService } from '../exec/exec-service.js';
import type { ImageCreation } from '../image/image-creation.js';
import type { ImageService, VolumeService } from '../ports.js';
import type { SystemInfoService } from '../system/system-info.js';

/** What the API routes are given: the services, never the adapters behind them. */
export interface Engine {
  lifecycle: ContainerLifecycle;
  io: ContainerIo;
  inspection: ContainerInspection;
  maintenance: ContainerMaintenance;
  /** The read side of events: replay and live subscriptions for `/events`. */
  events: Pick<EventLog, 'replay' | 'subscribe' | 'subscriberCount'>;
  /** Where routes report what they did themselves (prunes). */
  report: EngineEvents;
  execs: Pick<ExecService, 'create' | 'checkStartable' | 'start' | 'detached' | 'resize' | 'inspect'>;
  archives: Pick<ArchiveService, 'stat' | 'get' | 'put' | 'export' | 'changes'>;
  images: ImageService;
  imageCreation: ImageCreation;
  volumes: VolumeService;
  /** `/version` and `/info`: the engine's and the host's facts. */
  system: SystemInfoService;
}
