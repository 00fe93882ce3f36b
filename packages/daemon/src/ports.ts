import type { Readable } from 'node:stream';
import type { DistributionInspect, HostConfig, NetworkingConfig, ImageHistoryItem, ImageInspect, ImageSummary, ProgressMessage, Volume, VolumePruneResponse } from '@berth/api';
import type { DeleteRecord, ResolvedImage } from '@berth/image';
import type { LinuxResources, NetworkMode, ResolvedUser, RuntimeMount } from '@berth/oci';
import type { Sandbox } from '@berth/network';
import type { IdMappings, Owner } from '@berth/layer';
import type { ContainerMount } from './container/container-mount.js';
import type { ContainerEndpoint } from './container/record.js';
import type { ContainerRecord } from './container/record.js';
import type { ContainerStats } from './container/stats.js';
import type { LogLines, LogRecord, LogRotation, ReadLogOptions } from './runtime/index.js';

// The narrow interfaces the daemon's core depends on (DESIGN §8), each implemented by one adapter
// (ImageService and VolumeService by the daemon's services over the library stores), all wired in
// daemon.ts; a consumer names the narrowest one it needs. The runtime's port is `RuntimeDriver` in
// runtime/runtime-driver.ts, the event sink's `EngineEvents` in events/.

/** Where container records are kept: the core never touches their files. */
export interface ContainerRepository {
  all(): ContainerRecord[];
  /** By full id, name (with or without its slash) or unique id prefix. */
  find(ref: string): ContainerRecord | undefined;
  /** As `find`; NotFoundError (404) when there is none. */
  get(ref: string): ContainerRecord;
  /** The container's own directory: its read-write layer, bundle, log and /etc files live there. */
  dirOf(id: string): string;
  isNameTaken(name: string): boolean;
  /** Makes a new container's dir before its record (`add`), for `notePendingVolumes`. */
  reserve(id: string): Promise<void>;
  /** Records the anonymous volumes a create is making: a crash before `add` leaves them to remove at start. */
  notePendingVolumes(id: string, names: string[]): Promise<void>;
  /** Removes a reserved dir whose create failed before `add`. */
  unreserve(id: string): Promise<void>;
  /** Registers a new container; its name must be free (ConflictError). */
  add(record: ContainerRecord): Promise<void>;
  /** Persists the record atomically; a failure leaves the previous one whole. */
  save(record: ContainerRecord): Promise<void>;
  rename(record: ContainerRecord, name: string): Promise<void>;
  /**
   * Removes the container's record and dir. `durable: false` leaves the removal to the page cache: for a
   * record already saved with its removal mark, which finishes the removal at the next start if the
   * machine loses power first.
   */
  delete(id: string, options?: { durable?: boolean }): Promise<void>;
}

/** What the container core needs of images: the one a reference names. */
export interface ImageResolver {
  resolve(nameOrId: string): ResolvedImage;
}

export interface ImageListOptions {
  all?: boolean;
  filters?: Record<string, string[]>;
  /** Each image's SharedSize: the bytes of its layers other images use too. */
  sharedSize?: boolean;
  /** Each image's manifest, with its platform and the containers using it. */
  manifests?: boolean;
}

/** What the image routes call (`image/image-service.ts`, over the image store and the containers). */
export interface ImageService {
  list(options: ImageListOptions): Promise<ImageSummary[]>;
  inspect(nameOrId: string): ImageInspect;
  history(nameOrId: string): ImageHistoryItem[];
  tag(source: string, target: string): Promise<void>;
  /** `docker rmi`: a container using the image blocks it, a running one even when forced. */
  remove(nameOrId: string, options: { force?: boolean; noPrune?: boolean }): Promise<DeleteRecord[]>;
  /** Removes the images no container uses that match the filters, and reports the prune. */
  prune(filters: Record<string, string[]>): Promise<{ ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number }>;
  /** `docker save`: the images named, as one archive. */
  save(names: string[]): Promise<Readable>;
  /** Loads a `docker save` archive; returns the lines `docker load` prints. */
  load(archive: Readable, options: { onProgress?: (message: ProgressMessage) => void }): Promise<string[]>;
}

export interface ImagePullOptions {
  /** moby's `tag` parameter: a tag, or a digest. */
  tag?: string;
  /** `os[/arch[/variant]]`; the host's by default. */
  platform?: string;
  /** From `X-Registry-Auth`. */
  auth?: { username: string; password: string };
  /** Every tag of the repository (`docker pull --all-tags`). */
  allTags?: boolean;
  onProgress: (message: ProgressMessage) => void;
  /** Aborted when the client goes away: the pull is given up. */
  signal?: AbortSignal;
}

/** `docker login`'s request body (`POST /auth`). */
export interface LoginRequest {
  username: string;
  password: string;
  serveraddress?: string;
}

export interface ImagePushOptions {
  /** One tag of the repository; every tag when absent. */
  tag?: string;
  auth?: { username: string; password: string };
  onProgress: (message: ProgressMessage) => void;
  /** Aborted when the client goes away: the push is given up. */
  signal?: AbortSignal;
}

/** Pulls, pushes and logins (`image/registry-service.ts`, over the registry client and the image store). */
export interface RegistryAccess {
  pull(image: string, options: ImagePullOptions): Promise<void>;
  push(name: string, options: ImagePushOptions): Promise<void>;
  login(request: LoginRequest): Promise<{ Status: string; IdentityToken: string }>;
  /** `GET /distribution/{name}/json`: the descriptor the registry has for the reference, and the platforms it serves. */
  inspect(name: string, auth: { username: string; password: string } | undefined): Promise<DistributionInspect>;
}


/** What the volume routes call (`volume/volume-service.ts`, over the volume store). */
export interface VolumeService {
  /** Without a name, an anonymous volume. */
  create(options: { name?: string; driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> }): Promise<Volume>;
  get(name: string): Volume;
  list(filters: Record<string, string[]>): Volume[];
  remove(name: string, options: { force?: boolean }): Promise<void>;
  /** Removes the unused volumes that match the filters, and reports the prune. */
  prune(filters: Record<string, string[]>): Promise<VolumePruneResponse>;
}

/** A container's root filesystem: the image's layers under a read-write layer in the container's dir. */
export interface ContainerRootfs {
  /**
   * `userNamespace`: the root as a container with that mapping sees it (its files owned by the mapped ids).
   * `volatile`: the root goes with its container (rootIsVolatile: AutoRemove, a build's step container), so its unmount need not sync the disk.
   */
  mountContainerRoot(dir: string, parentChainId: string | null, userNamespace?: IdMappings, options?: { volatile?: boolean }): Promise<string>;
  unmountContainerRoot(dir: string): Promise<void>;
  /** The image layers' directories, top first: inspect's GraphDriver LowerDir. */
  diffDirs(chainId: string): string[];
  /** Bytes in the container's read-write layer (`SizeRw`). */
  readWriteSize(dir: string): Promise<number>;
}

export interface MountRequest {
  containerId: string;
  hostConfig: HostConfig;
  /** config.Volumes merged with the image's VOLUME entries: each unmounted path gets an anonymous volume. */
  volumes: Record<string, unknown>;
  /** Finds a `--volumes-from` container. */
  lookup(ref: string): ContainerRecord;
  /** Told each anonymous volume's name before it is made (to record it: a crash must not leave it behind). */
  beforeAnonymous?(name: string): Promise<void>;
}

/** Volumes, binds and tmpfs mounts of containers. */
export interface ContainerMounts {
  /** At create: the container's mounts, its anonymous volumes made (a bad spec is a 400, a conflict a 409). */
  plan(request: MountRequest): Promise<ContainerMount[]>;
  /** At start: the mounts as the runtime spec takes them, volumes mounted and seeded from the image. */
  runtimeMounts(c: ContainerRecord, rootfs: string): Promise<RuntimeMount[]>;
  /** After the task is gone: what `runtimeMounts` mounted is unmounted. */
  deactivate(c: ContainerRecord): Promise<void>;
  /** At removal: the container lets go of its volumes; `removeAnonymous` removes its anonymous ones. */
  release(c: ContainerRecord, removeAnonymous: boolean): Promise<void>;
}

/** What the host's Linux security modules offer containers. */
export interface HostSecurityModules {
  apparmor: boolean;
  isApparmorProfileLoaded(name: string): boolean;
  selinux: boolean;
}

/** The per-container files the host provides, what a root filesystem says about users, and the host's processes. */
export interface ContainerHost {
  /** Writes the container's /etc/hostname, /etc/hosts and /etc/resolv.conf beside its record; returns their paths. */
  /** `owner`: the host ids that own the files (a remapped container's root, so it can edit them as Docker allows). */
  writeEtcFiles(containerDir: string, names: { hostname: string; domainname?: string }, hostConfig: HostConfig, network: Omit<TaskNetwork, 'namespace'>, owner?: Owner): Promise<{ hostname: string; hosts: string; resolvConf: string }>;
  /** `-u` and `--group-add` resolved with the root filesystem's passwd and group files. */
  resolveUser(rootfs: string, user: string, groupAdd?: readonly string[]): Promise<ResolvedUser>;
  /** The host's process table as `ps` prints it with these arguments (`docker top`). */
  processTable(args: string[]): Promise<string>;
  /** SIGKILL to a host pid, bypassing the runtime (moby's killProcessDirectly); false when it is gone. */
  killProcess(pid: number): boolean;
  readonly securityModules: HostSecurityModules;
}

/** The host's facts `/info` and `/version` report, and the daemon's own process counters. */
export interface HostFacts {
  kernelVersion(): string;
  /** The machine as `docker info` names it (`x86_64`, not Node's `x64`). */
  architecture(): string;
  hostname(): string;
  memTotal(): number;
  cpuCount(): number;
  cgroupVersion(): 1 | 2;
  /** The Linux security modules the kernel runs. */
  securityModules(): { apparmor: boolean; selinux: boolean };
  /** The daemon's open file descriptors. */
  openFiles(): Promise<number>;
  /** The daemon's threads. */
  threadCount(): Promise<number>;
  /** The kernel's forwarding and bridge-netfilter switches, as `docker info` reports them. */
  networkSwitches(): Promise<{ ipv4Forwarding: boolean; bridgeNfIptables: boolean; bridgeNfIp6tables: boolean }>;
}

/** A running container's cgroup: read for stats and top, written by update. */
export interface ContainerCgroups {
  pids(containerId: string): Promise<number[]>;
  sample(containerId: string, name: string, previous?: ContainerStats): Promise<ContainerStats>;
  applyResources(containerId: string, resources: LinuxResources): Promise<void>;
}

/** What a container's task needs from its networks. */
export interface TaskNetwork {
  namespace: NetworkMode;
  /** The container's own addresses, which /etc/hosts maps to its hostname. */
  addresses: string[];
  /** Replace the host's nameservers in resolv.conf: the embedded DNS server of user-defined networks. */
  nameservers?: string[];
  /** The default bridge's gateway: what `host-gateway` in `--add-host` stands for. */
  hostGateway?: string;
  /** /etc/hosts lines for the containers it links to (`--link`). */
  hostEntries: string[];
  /** The environment legacy links give (`<ALIAS>_PORT…`, `<ALIAS>_NAME`, `<ALIAS>_ENV_…`). */
  linkEnv: string[];
  /**
   * Settles once the namespace is set up (links, addresses, rules): the task may be created before, and
   * must not start before. A rejection means the network is already undone.
   */
  ready: Promise<void>;
}

/** What inspect and list show of a container's networks. */
export interface ContainerNetworkState {
  /** Each network the container is configured on that exists, by name: its ID and driver. */
  networks: Record<string, { id: string; driver: string }>;
  /** Set while the container runs with a namespace of its own set up by the engine. */
  sandbox?: Sandbox;
}

/** The networks containers join (the network package's manager behind an adapter). */
export interface NetworkService {
  /**
   * moby's verifyNetworkingConfig at create: the networks the container is to join, by name, with
   * what it asks of each, and Docker's warnings.
   */
  plan(hostConfig: HostConfig, networking: NetworkingConfig | null | undefined): { endpoints: Record<string, ContainerEndpoint>; warnings: string[] };
  /** Readies the container's networks: the namespace and addresses at once, the rest by `ready`. */
  connect(c: ContainerRecord): Promise<TaskNetwork>;
  /** Undoes `connect` once the task is gone; a container that never connected is a no-op. */
  disconnect(c: ContainerRecord): Promise<void>;
  /** `network connect` of a running container; the caller records the endpoint. */
  connectRunning(c: ContainerRecord, network: string, endpoint: ContainerEndpoint): Promise<void>;
  disconnectRunning(c: ContainerRecord, network: string): Promise<void>;
  /** A network's canonical name (`network connect` takes IDs and prefixes too); NotFoundError when there is none. */
  resolveName(ref: string): string;
  state(c: ContainerRecord): ContainerNetworkState;
}

/** Containers' output as conmon logs it, and the rotated files a json-file or local log keeps. */
export interface ContainerLogs {
  /** The log in chunks of lines as read, across its rotated files (oldest first) and the live one, which alone is followed. */
  read(logPath: string, maxFile: number, options: ReadLogOptions): AsyncIterable<LogLines>;
  /** The live file alone, to its current end: what an attach with `logs=1` replays. */
  readLive(logPath: string): AsyncIterable<LogRecord[]>;
  /** While the container runs, keeps the files conmon rotates away (up to `maxFile`). */
  keepRotations(id: string, logPath: string, rotation: LogRotation): void;
  stopKeeping(id: string): Promise<void>;
  /** At shutdown. */
  stopAll(): void;
}
