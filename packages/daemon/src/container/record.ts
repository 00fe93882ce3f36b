import type { ContainerConfig, HostConfig } from '@berth/api';
import type { ContainerMount } from './container-mount.js';
import type { HealthState } from './health-state.js';
import type { RunState } from './state.js';

/** What the engine persists for one container (`<data-root>/containers/<id>/container.json`). */
export interface ContainerRecord {
  id: string;
  /** With Docker's leading slash: "/quirky_hopper". */
  name: string;
  created: string;
  /** The image reference as the user gave it, and the resolved image ID. */
  imageRef: string;
  imageId: string;
  /** Top layer of the image, the parent of the container's read-write layer. */
  imageChainId: string | null;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: RunState;
  restartCount: number;
  /** Set by an explicit stop/kill so restart policies and live restore know the user meant it. */
  manuallyStopped: boolean;
  /** State.Health, for containers with a healthcheck once they have been started. */
  health?: HealthState;
  /** User mounts (binds, volumes, tmpfs) planned at create; absent on records from before volumes. */
  mounts?: ContainerMount[];
  /**
   * The networks the container joins when it starts, by name, with what it asks of each (aliases,
   * static addresses); absent on records from before networking, which join their NetworkMode's.
   */
  endpoints?: Record<string, ContainerEndpoint>;
  /**
   * Set (with state.dead, moby's Dead) before a removal deletes anything, with what the user asked
   * for: a daemon that died mid-removal finishes it at its next start.
   */
  removal?: { removeVolumes: boolean };
  /**
   * Its root is thrown away with it, never kept (a build's step container the build removes): mounted
   * volatile as an AutoRemove container's is, so no unmount syncs the disk. See rootIsVolatile.
   */
  throwawayRoot?: boolean;
}

/** Whether the container's root is mounted volatile: one that goes with its container (see mountOverlayRoot). */
export function rootIsVolatile(record: Pick<ContainerRecord, 'hostConfig' | 'throwawayRoot'>): boolean {
  return (record.hostConfig.AutoRemove ?? false) || record.throwawayRoot === true;
}

/** What a container asks of one network (moby's EndpointSettings as a client sets them). */
export interface ContainerEndpoint {
  aliases: string[];
  ipv4?: string;
  ipv6?: string;
  macAddress?: string;
  links: string[];
  driverOpts: Record<string, string>;
}
