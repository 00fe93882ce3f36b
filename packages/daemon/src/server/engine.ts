import type { ArchiveService } from '../archive/archive.js';
import type { BuildService } from '../build/build-service.js';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { ContainerIo } from '../container/io-service.js';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import type { ContainerMaintenance } from '../container/maintenance-service.js';
import type { EventLog } from '../events/event-log.js';
import type { ExecService } from '../exec/exec-service.js';
import type { NetworkApi } from '../network/network-api.js';
import type { ImageCreation } from '../image/image-creation.js';
import type { RegistryAccess, ImageService, VolumeService } from '../ports.js';
import type { DiskUsageService } from '../system/disk-usage.js';
import type { SystemInfoService } from '../system/system-info.js';

/** What the API routes are given: the services, never the adapters behind them. */
export interface Engine {
  lifecycle: ContainerLifecycle;
  io: ContainerIo;
  inspection: ContainerInspection;
  maintenance: ContainerMaintenance;
  /** The read side of events: replay and live subscriptions for `/events`. */
  events: Pick<EventLog, 'replay' | 'subscribe' | 'subscriberCount'>;
  execs: Pick<ExecService, 'create' | 'checkStartable' | 'start' | 'detached' | 'resize' | 'inspect'>;
  archives: Pick<ArchiveService, 'stat' | 'get' | 'put' | 'export' | 'changes'>;
  images: ImageService;
  imageCreation: ImageCreation;
  registries: RegistryAccess;
  volumes: VolumeService;
  networks: NetworkApi;
  /** `POST /build` and the build cache. */
  builds: Pick<BuildService, 'build' | 'prune'>;
  /** `/system/df`, and the sizes `?size=1` adds to containers. */
  diskUsage: DiskUsageService;
  /** `/version` and `/info`: the engine's and the host's facts. */
  system: SystemInfoService;
}
