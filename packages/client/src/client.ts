import type { Readable } from 'node:stream';
import type {
  DistributionInspect,
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerPruneResponse,
  ContainerStatsResponse,
  ContainerSummary,
  ContainerTopResponse,
  FilesystemChange,
  ContainerUpdateRequest,
  ContainerUpdateResponse,
  ContainerWaitResponse,
  EventMessage,
  ExecCreateRequest,
  ImageHistoryItem,
  ImageInspect,
  ImageSummary,
  InfoResponse,
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkPruneResponse,
  NetworkResource,
  ProgressMessage,
  VersionResponse,
  Volume,
  VolumeCreateRequest,
  VolumeListResponse,
  VolumePruneResponse,
  WaitCondition,
} from '@berth/api';
import * as io from './endpoints/container-io.js';
import type { AttachOptions, ContainerAttachment, ContainerLogsOptions, ContainerOutput, PendingWait } from './endpoints/container-io.js';
import * as build from './endpoints/build.js';
import type { BuildCachePruneOptions, BuildCachePruneReport, BuildOptions } from './endpoints/build.js';
import * as containers from './endpoints/containers.js';
import type { ContainerListOptions, StopOptions } from './endpoints/containers.js';
import * as exec from './endpoints/exec.js';
import type { ExecState } from './endpoints/exec.js';
import * as images from './endpoints/images.js';
import type { CommitOptions, ImageDeleteRecord, ImageImportOptions, ImageListOptions, ImagePruneReport } from './endpoints/images.js';
import * as networks from './endpoints/networks.js';
import * as registry from './endpoints/registry.js';
import type { PullOptions, PushOptions, RegistryCredentials } from './endpoints/registry.js';
import * as system from './endpoints/system.js';
import type { EventsOptions, SystemDfResponse } from './endpoints/system.js';
import * as volumes from './endpoints/volumes.js';
import { defaultHost, parseHost } from './host.js';
import { Transport, type Dialer, type TlsOptions } from './transport.js';

export interface BerthClientOptions {
  /** `unix:///path` or `tcp://host:port`; defaults to BERTH_HOST, DOCKER_HOST, then the default socket. */
  host?: string;
  /** Pins the API version; without it the client negotiates down to the server's. */
  apiVersion?: string;
  /** Speak HTTPS to the daemon (a `tcp://` host then defaults to port 2376, as docker's). */
  tls?: TlsOptions;
  /**
   * Opens each connection to the daemon itself (as the docker CLI's ssh:// helper does); `host` then only names
   * the daemon in messages.
   */
  dial?: Dialer;
}

/**
 * A typed Docker Engine API client over a unix socket, TCP or TLS. The endpoints of each API domain
 * are in endpoints/; this class holds the connection and is the one surface callers use.
 */
export class BerthClient {
  /** The daemon address as given (or defaulted), for messages. */
  readonly host: string;
  private readonly transport: Transport;

  constructor(options: BerthClientOptions = {}) {
    this.host = options.host || defaultHost();
    const address = options.dial ? {} : parseHost(this.host, { tls: Boolean(options.tls) });
    this.transport = new Transport(address, this.host, options.apiVersion, options.tls, options.dial);
  }

  /** The API version requests use, negotiated on first use. */
  apiVersion(): Promise<string> {
    return this.transport.apiVersion();
  }

  /** Releases pooled keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  // System

  ping(): Promise<string> {
    return system.ping(this.transport);
  }

  version(): Promise<VersionResponse> {
    return system.version(this.transport);
  }

  info(): Promise<InfoResponse> {
    return system.info(this.transport);
  }

  systemDf(): Promise<SystemDfResponse> {
    return system.systemDf(this.transport);
  }

  /**
   * `GET /events`: resolves once the daemon answered, then yields events until `until` passes (never
   * without it); `since`/`until` are unix times as the docker CLI sends them ("seconds[.nanoseconds]").
   */
  events(options: EventsOptions = {}): Promise<AsyncGenerator<EventMessage>> {
    return system.events(this.transport, options);
  }

  // Registries

  /** `docker pull`: the daemon's progress messages as they come. */
  pullImage(image: string, options: PullOptions = {}): AsyncGenerator<ProgressMessage> {
    return registry.pullImage(this.transport, image, options);
  }

  /** `docker push`: the daemon's progress messages as they come. */
  pushImage(name: string, options: PushOptions = {}): AsyncGenerator<ProgressMessage> {
    return registry.pushImage(this.transport, name, options);
  }

  /** `docker buildx imagetools`-style inspection: the registry's descriptor and platforms for a reference, asked through the daemon. */
  distributionInspect(name: string, auth?: RegistryCredentials): Promise<DistributionInspect> {
    return registry.distributionInspect(this.transport, name, auth);
  }

  /** `docker login`: checks the credentials through the daemon. */
  login(auth: RegistryCredentials): Promise<{ Status: string; IdentityToken?: string }> {
    return registry.login(this.transport, auth);
  }

  // Builds

  /** `docker build`: sends the context tar, yields the daemon's progress messages; an error line is thrown as a ProgressStreamError. */
  build(context: Readable | AsyncIterable<Buffer>, options: BuildOptions = {}): AsyncGenerator<ProgressMessage> {
    return build.buildImage(this.transport, context, options);
  }

  /** `docker builder prune`. */
  buildPrune(options: BuildCachePruneOptions = {}): Promise<BuildCachePruneReport> {
    return build.pruneBuildCache(this.transport, options);
  }

  // Images

  /** Loads a `docker save` / OCI archive; yields "Loading layer" progress (unless quiet) and `stream` messages such as "Loaded image: busybox:latest". */
  loadImage(tar: Readable, options: { quiet?: boolean } = {}): AsyncGenerator<ProgressMessage> {
    return images.loadImage(this.transport, tar, options);
  }

  listImages(options: ImageListOptions = {}): Promise<ImageSummary[]> {
    return images.listImages(this.transport, options);
  }

  inspectImage(name: string): Promise<ImageInspect> {
    return images.inspectImage(this.transport, name);
  }

  imageHistory(name: string): Promise<ImageHistoryItem[]> {
    return images.imageHistory(this.transport, name);
  }

  /** `docker rmi`: the daemon's records of what it untagged and deleted. */
  removeImage(name: string, options: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteRecord[]> {
    return images.removeImage(this.transport, name, options);
  }

  tagImage(name: string, repo: string, tag?: string): Promise<void> {
    return images.tagImage(this.transport, name, repo, tag);
  }

  pruneImages(filters: Record<string, string[]> = {}): Promise<ImagePruneReport> {
    return images.pruneImages(this.transport, filters);
  }

  /** `docker save`: the archive of the named images as a stream. */
  saveImages(names: string[]): Promise<Readable> {
    return images.saveImages(this.transport, names);
  }

  /** `docker import` from a tar stream; returns the new image ID. */
  importImage(tar: Readable, options: ImageImportOptions = {}): Promise<string> {
    return images.importImage(this.transport, tar, options);
  }

  commitContainer(container: string, options: CommitOptions = {}): Promise<{ Id: string }> {
    return images.commitContainer(this.transport, container, options);
  }

  // Containers

  createContainer(body: ContainerCreateRequest, options: { name?: string | undefined; platform?: string | undefined } = {}): Promise<ContainerCreateResponse> {
    return containers.createContainer(this.transport, body, options);
  }

  listContainers(options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
    return containers.listContainers(this.transport, options);
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return containers.inspectContainer(this.transport, id);
  }

  startContainer(id: string): Promise<void> {
    return containers.changeState(this.transport, id, 'start');
  }

  stopContainer(id: string, options: StopOptions = {}): Promise<void> {
    return containers.stopOrRestart(this.transport, id, 'stop', options);
  }

  restartContainer(id: string, options: StopOptions = {}): Promise<void> {
    return containers.stopOrRestart(this.transport, id, 'restart', options);
  }

  killContainer(id: string, signal?: string): Promise<void> {
    return containers.killContainer(this.transport, id, signal);
  }

  pauseContainer(id: string): Promise<void> {
    return containers.changeState(this.transport, id, 'pause');
  }

  unpauseContainer(id: string): Promise<void> {
    return containers.changeState(this.transport, id, 'unpause');
  }

  renameContainer(id: string, name: string): Promise<void> {
    return containers.renameContainer(this.transport, id, name);
  }

  updateContainer(id: string, body: ContainerUpdateRequest): Promise<ContainerUpdateResponse> {
    return containers.updateContainer(this.transport, id, body);
  }

  topContainer(id: string, psArgs?: string): Promise<ContainerTopResponse> {
    return containers.topContainer(this.transport, id, psArgs);
  }

  containerChanges(id: string): Promise<FilesystemChange[]> {
    return containers.containerChanges(this.transport, id);
  }

  /** One stats sample (with precpu_stats filled in, as `docker stats --no-stream` reads it). */
  containerStats(id: string): Promise<ContainerStatsResponse> {
    return containers.containerStats(this.transport, id);
  }

  /** What is at a path in the container (`docker cp`'s stat of its destination). */
  statContainerPath(id: string, path: string): Promise<containers.ContainerPathStat> {
    return containers.statContainerPath(this.transport, id, path);
  }

  /** A tar of a path in the container, with what the path is. */
  getContainerArchive(id: string, path: string): Promise<{ stat: containers.ContainerPathStat; tar: Readable }> {
    return containers.getContainerArchive(this.transport, id, path);
  }

  /** Extracts a tar into a directory of the container. */
  putContainerArchive(id: string, path: string, tar: Readable, options: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean } = {}): Promise<void> {
    return containers.putContainerArchive(this.transport, id, path, tar, options);
  }

  /** `docker export`: the container's filesystem as a tar stream. */
  exportContainer(id: string): Promise<Readable> {
    return containers.exportContainer(this.transport, id);
  }

  /** The live stats stream, a sample a second; it ends when the container is removed or `signal` aborts. */
  containerStatsStream(id: string, options: { signal?: AbortSignal } = {}): Promise<AsyncGenerator<ContainerStatsResponse>> {
    return containers.containerStatsStream(this.transport, id, options.signal);
  }

  removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return containers.removeContainer(this.transport, id, options);
  }

  pruneContainers(filters: Record<string, string[]> = {}): Promise<ContainerPruneResponse> {
    return containers.pruneContainers(this.transport, filters);
  }

  // Container I/O

  async waitContainer(id: string, condition?: WaitCondition): Promise<ContainerWaitResponse> {
    return (await this.beginWait(id, condition)).result;
  }

  /**
   * Starts a wait and resolves once the daemon has answered its headers — moby sends them after it
   * armed the waiter, so a `start` issued afterwards cannot exit unseen (this is how `docker run`
   * catches the exit). The exit status arrives later in `result`.
   */
  beginWait(id: string, condition?: WaitCondition): Promise<PendingWait> {
    return io.beginWait(this.transport, id, condition);
  }

  /** Hijacked attach (`Upgrade: tcp`, 101): the socket carries stdin up and the output down. */
  attachContainer(id: string, options: AttachOptions): Promise<ContainerAttachment> {
    return io.attachContainer(this.transport, id, options);
  }

  /** `docker logs`: the log stream, multiplexed unless the container has a TTY. */
  containerLogs(id: string, options: ContainerLogsOptions): Promise<ContainerOutput> {
    return io.containerLogs(this.transport, id, options);
  }

  resizeContainer(id: string, height: number, width: number): Promise<void> {
    return io.resizeTty(this.transport, 'containers', id, height, width);
  }

  // Exec

  createExec(id: string, config: ExecCreateRequest): Promise<{ Id: string }> {
    return exec.createExec(this.transport, id, config);
  }

  /** `docker exec` without -d: the exec's stdio on a hijacked connection. */
  startExec(execId: string, options: { tty: boolean }): Promise<ContainerAttachment> {
    return exec.startExec(this.transport, execId, options);
  }

  startExecDetached(execId: string): Promise<void> {
    return exec.startExecDetached(this.transport, execId);
  }

  inspectExec(execId: string): Promise<ExecState> {
    return exec.inspectExec(this.transport, execId);
  }

  resizeExec(execId: string, height: number, width: number): Promise<void> {
    return io.resizeTty(this.transport, 'exec', execId, height, width);
  }

  // Volumes

  listVolumes(filters: Record<string, string[]> = {}): Promise<VolumeListResponse> {
    return volumes.listVolumes(this.transport, filters);
  }

  createVolume(body: VolumeCreateRequest): Promise<Volume> {
    return volumes.createVolume(this.transport, body);
  }

  inspectVolume(name: string): Promise<Volume> {
    return volumes.inspectVolume(this.transport, name);
  }

  removeVolume(name: string, options: { force?: boolean } = {}): Promise<void> {
    return volumes.removeVolume(this.transport, name, options);
  }

  pruneVolumes(filters: Record<string, string[]> = {}): Promise<VolumePruneResponse> {
    return volumes.pruneVolumes(this.transport, filters);
  }

  // Networks

  listNetworks(filters: Record<string, string[]> = {}): Promise<NetworkResource[]> {
    return networks.listNetworks(this.transport, filters);
  }

  inspectNetwork(name: string, options: { verbose?: boolean } = {}): Promise<NetworkResource> {
    return networks.inspectNetwork(this.transport, name, options);
  }

  createNetwork(body: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return networks.createNetwork(this.transport, body);
  }

  removeNetwork(name: string): Promise<void> {
    return networks.removeNetwork(this.transport, name);
  }

  pruneNetworks(filters: Record<string, string[]> = {}): Promise<NetworkPruneResponse> {
    return networks.pruneNetworks(this.transport, filters);
  }

  /** `docker network connect`: the container and its endpoint settings on that network. */
  connectNetwork(name: string, body: NetworkConnectRequest): Promise<void> {
    return networks.connectNetwork(this.transport, name, body);
  }

  disconnectNetwork(name: string, body: NetworkDisconnectRequest): Promise<void> {
    return networks.disconnectNetwork(this.transport, name, body);
  }
}
