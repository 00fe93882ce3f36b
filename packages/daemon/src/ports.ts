import type { HostConfig } from '@berth/api';
import type { ImageStore, ResolvedImage } from '@berth/image';
import type { LinuxResources, NetworkMode, ResolvedUser } from '@berth/oci';
import type { VolumeStore } from '@berth/volume';
import type { ContainerRecord } from './container/record.js';
import type { ContainerStore } from './container/container-store.js';
import type { ContainerStats } from './container/stats.js';
import type { VolumeMounts } from './container/volume-mounts.js';

// The narrow interfaces the daemon's core depends on (DESIGN §8). Each is implemented by one adapter,
// wired in daemon.ts; a consumer names the narrowest one it needs. The runtime's port is
// `RuntimeDriver` in runtime/runtime-driver.ts, the event sink's `EngineEvents` in events/.

/** Where container records are kept: the core never touches their files. */
export type ContainerRepository = Pick<ContainerStore, 'all' | 'find' | 'get' | 'dirOf' | 'isNameTaken' | 'add' | 'save' | 'rename' | 'delete'>;

/** What the container core needs of images: the one a reference names. */
export interface ImageResolver {
  resolve(nameOrId: string): ResolvedImage;
}

/** The image service the API serves (the image store implements it). */
export type ImageService = ImageResolver &
  Pick<ImageStore, 'list' | 'inspect' | 'history' | 'tag' | 'remove' | 'prune' | 'save' | 'load' | 'create' | 'manifest' | 'sharedSizes' | 'layersSize'>;

/** The volume service the API serves (the volume store implements it). */
export type VolumeService = Pick<VolumeStore, 'create' | 'get' | 'list' | 'remove' | 'prune' | 'usage'>;

/** A container's root filesystem: the image's layers under a read-write layer in the container's dir. */
export interface ContainerRootfs {
  mountContainerRoot(dir: string, parentChainId: string | null): Promise<string>;
  unmountContainerRoot(dir: string): Promise<void>;
  /** The image layers' directories, top first: inspect's GraphDriver LowerDir. */
  diffDirs(chainId: string): string[];
  /** Bytes in the container's read-write layer (`SizeRw`). */
  readWriteSize(dir: string): Promise<number>;
}

/** Volumes, binds and tmpfs mounts of containers. */
export type ContainerMounts = Pick<VolumeMounts, 'plan' | 'runtimeMounts' | 'deactivate' | 'release'>;

/** The per-container files the host provides, what a root filesystem says about users, and the host's processes. */
export interface ContainerHost {
  /** Writes the container's /etc/hostname, /etc/hosts and /etc/resolv.conf beside its record; returns their paths. */
  writeEtcFiles(containerDir: string, hostname: string, hostConfig: HostConfig): Promise<{ hostname: string; hosts: string; resolvConf: string }>;
  /** `-u` and `--group-add` resolved with the root filesystem's passwd and group files. */
  resolveUser(rootfs: string, user: string, groupAdd?: readonly string[]): Promise<ResolvedUser>;
  /** The host's process table as `ps` prints it with these arguments (`docker top`). */
  processTable(args: string[]): Promise<string>;
}

/** A running container's cgroup: read for stats and top, written by update. */
export interface ContainerCgroups {
  pids(containerId: string): Promise<number[]>;
  sample(containerId: string, name: string, previous?: ContainerStats): Promise<ContainerStats>;
  applyResources(containerId: string, resources: LinuxResources): Promise<void>;
}

/**
 * The networks containers join. Today's adapter serves `none` and `host`; the bridge driver of the
 * networking issue implements the same port.
 */
export interface NetworkService {
  /** Readies the container's network before its task is created; says which network namespace the task gets. */
  connect(c: ContainerRecord): Promise<NetworkMode>;
  /** Undoes `connect` once the task is gone; a container that never connected is a no-op. */
  disconnect(c: ContainerRecord): Promise<void>;
}
