import type { IdMappings } from '@berth/layer';
import type { EngineEvents } from '../events/engine-events.js';
import type { RuntimeDriver } from '../runtime/index.js';
import type { ContainerCgroups, ContainerHost, ContainerLogs, ContainerMounts, ContainerRepository, ContainerRootfs, ImageResolver, NetworkService } from '../ports.js';
import { AttachHub } from './attach-hub.js';
import { ContainerCore, type EngineLog } from './container-core.js';
import { InspectionService, type ContainerInspection } from './inspection-service.js';
import { IoService, type ContainerIo } from './io-service.js';
import { LifecycleService, type ContainerLifecycle } from './lifecycle-service.js';
import { MaintenanceService, type ContainerMaintenance } from './maintenance-service.js';
import { ContainerRemoval } from './removal.js';
import { TaskSupervisor } from './task-supervisor.js';
import { ContainerTermination } from './termination.js';

/** The ports the container services run on; daemon.ts gives the real adapters, unit tests in-memory fakes. */
export interface ContainerPorts {
  store: ContainerRepository;
  images: ImageResolver;
  rootfs: ContainerRootfs;
  runtime: RuntimeDriver;
  mounts: ContainerMounts;
  host: ContainerHost;
  cgroups: ContainerCgroups;
  network: NetworkService;
  logs: ContainerLogs;
  events: EngineEvents;
  execRoot: string;
  /** The daemon's `--userns-remap` mapping. */
  remap?: IdMappings;
  /** tini on the host, bind-mounted for `--init`. */
  initPath?: string;
  /** Told each removed container's id, for what others keep per container (its execs). */
  onRemoved?: (id: string) => void;
  log: EngineLog;
}

/** Work on a container's files that must not interleave with its state changes, its removal above all. */
export interface ContainerLocks {
  /** Runs `work` under the container's lock, which every state change and removal takes. */
  run<T>(id: string, work: () => Promise<T>): Promise<T>;
  /** Whether a removal of the container is under way (it may still wait for the lock). */
  isRemoving(id: string): boolean;
}

export interface ContainerServices {
  lifecycle: ContainerLifecycle;
  io: ContainerIo;
  inspection: ContainerInspection;
  maintenance: ContainerMaintenance;
  locks: ContainerLocks;
  /** Stops watching containers (they keep running: live restore is the default). */
  shutdown(): void;
}

/** Wires the container services over one shared core. */
export function createContainerServices(ports: ContainerPorts): ContainerServices {
  const core = new ContainerCore({ store: ports.store, runtime: ports.runtime, events: ports.events, execRoot: ports.execRoot, log: ports.log, remap: ports.remap });
  const attaches = new AttachHub(core);
  const termination = new ContainerTermination(core, ports.host);
  const removal = new ContainerRemoval(core, { rootfs: ports.rootfs, mounts: ports.mounts, attaches, termination, onRemoved: ports.onRemoved });
  const tasks = new TaskSupervisor(core, {
    rootfs: ports.rootfs,
    mounts: ports.mounts,
    host: ports.host,
    network: ports.network,
    logs: ports.logs,
    attaches,
    removal,
    initPath: ports.initPath,
  });
  return {
    lifecycle: new LifecycleService(core, { images: ports.images, mounts: ports.mounts, cgroups: ports.cgroups, host: ports.host, network: ports.network, tasks, termination, removal, initPath: ports.initPath }),
    io: new IoService(core, attaches, ports.logs),
    inspection: new InspectionService(core, { images: ports.images, rootfs: ports.rootfs, cgroups: ports.cgroups, host: ports.host, network: ports.network }),
    maintenance: new MaintenanceService(core, { rootfs: ports.rootfs, tasks, removal }),
    locks: { run: (id, work) => core.lock.run(id, work), isRemoving: (id) => core.removing.has(id) },
    shutdown: () => tasks.shutdown(),
  };
}
