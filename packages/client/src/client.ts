import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import {
  compareApiVersions,
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  type CommitQuery,
  type ContainerAttachQuery,
  type ContainerCreateQuery,
  type ContainerCreateRequest,
  type ContainerCreateResponse,
  type ContainerInspect,
  type ContainerKillQuery,
  type ContainerListQuery,
  type ContainerLogsQuery,
  type ContainerPruneResponse,
  type ContainerRemoveQuery,
  type ContainerRenameQuery,
  type ContainerStatsQuery,
  type ContainerStopQuery,
  type ContainerStatsResponse,
  type ContainerTopQuery,
  type ContainerTopResponse,
  type ContainerUpdateRequest,
  type ContainerUpdateResponse,
  type ContainerSummary,
  type ContainerWaitQuery,
  type ContainerWaitResponse,
  type EventMessage,
  type EventsQuery,
  type ExecCreateRequest,
  type ExecStartRequest,
  type FiltersQuery,
  type ImageCreateQuery,
  type ImageHistoryItem,
  type ImageInspect,
  type ImageListQuery,
  type ImageLoadQuery,
  type ImageRemoveQuery,
  type ImageSaveQuery,
  type ImageSummary,
  type ImageTagQuery,
  type InfoResponse,
  type ProgressMessage,
  type ResizeQuery,
  type VersionResponse,
  type Volume,
  type VolumeCreateRequest,
  type VolumeListResponse,
  type VolumePruneResponse,
  type VolumeRemoveQuery,
  type WaitCondition,
} from '@berth/api';
import { daemonError } from './daemon-errors.js';
import { defaultHost, parseHost } from './host.js';
import { readJsonLines } from './json-lines.js';
import { copyRawOutput, demuxOutput } from './output-copy.js';
import { pathParam, type QueryOf } from './query.js';
import { readBody } from './response.js';
import { Transport } from './transport.js';

export interface BerthClientOptions {
  /** `unix:///path` or `tcp://host:port`; defaults to BERTH_HOST, DOCKER_HOST, then the default socket. */
  host?: string;
  /** Pins the API version; without it the client negotiates down to the server's. */
  apiVersion?: string;
}

export type ImageDeleteRecord = { Untagged: string } | { Deleted: string };

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteRecord[] | null;
  SpaceReclaimed: number;
}

export interface SystemDfResponse {
  LayersSize: number;
  Images: ImageSummary[];
  Containers: ContainerSummary[];
  Volumes: Volume[];
  BuildCache: unknown[];
}

export interface EventsOptions {
  since?: string;
  until?: string;
  filters?: Record<string, string[]>;
}

export interface AttachOptions {
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  stream?: boolean;
  logs?: boolean;
  detachKeys?: string;
  /** Whether the container has a TTY; only needed for daemons older than API 1.42, which do not say. */
  tty?: boolean;
}

export interface ContainerLogsOptions {
  follow?: boolean;
  tail?: string;
  /** Unix seconds ("1700000000.000000000"), as the API takes them. */
  since?: string;
  until?: string;
  timestamps?: boolean;
  /** Whether the container has a TTY; only needed for daemons older than API 1.42, which do not say. */
  tty?: boolean;
}

/** A stream of container output (logs). */
export interface ContainerOutput {
  multiplexed: boolean;
  copyOutput(stdout: Writable, stderr: Writable): Promise<void>;
}

/** A hijacked attach connection. */
export interface ContainerAttachment {
  /** The raw connection: write the container's stdin to it, `end()` it to close that stdin. */
  socket: Socket;
  /** Output carries stdcopy frames (no TTY) rather than raw bytes. */
  multiplexed: boolean;
  /** Copies the container's output to the given streams until the daemon closes the connection. */
  copyOutput(stdout: Writable, stderr: Writable): Promise<void>;
}

/** A wait the daemon has already armed (see `BerthClient.beginWait`). */
export interface PendingWait {
  result: Promise<ContainerWaitResponse>;
}

/** First API version whose attach responses say whether they are multiplexed. */
const CONTENT_TYPE_API_VERSION = '1.42';

/** A typed Docker Engine API client over a unix socket or plain TCP. */
export class BerthClient {
  /** The daemon address as given (or defaulted), for messages. */
  readonly host: string;
  private readonly transport: Transport;

  constructor(options: BerthClientOptions = {}) {
    this.host = options.host || defaultHost();
    this.transport = new Transport(parseHost(this.host), this.host, options.apiVersion);
  }

  /** The API version requests use, negotiated on first use. */
  apiVersion(): Promise<string> {
    return this.transport.apiVersion();
  }

  /** Releases pooled keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  async ping(): Promise<string> {
    return (await readBody(await this.transport.request('GET', '/_ping', { unversioned: true }))).toString('utf8');
  }

  version(): Promise<VersionResponse> {
    return this.transport.json('GET', '/version');
  }

  info(): Promise<InfoResponse> {
    return this.transport.json('GET', '/info');
  }

  /** Loads a `docker save` / OCI archive; returns the daemon's messages such as "Loaded image: busybox:latest". */
  async loadImage(tar: Readable, options: { quiet?: boolean } = {}): Promise<string[]> {
    const response = await this.transport.request('POST', '/images/load', {
      query: { quiet: options.quiet } satisfies QueryOf<ImageLoadQuery>,
      body: tar,
      contentType: 'application/x-tar',
    });
    const lines: string[] = [];
    for await (const message of readJsonLines<ProgressMessage>(response)) {
      if (message.error || message.errorDetail) throw daemonError(500, message.errorDetail?.message ?? message.error ?? '');
      if (message.stream) lines.push(message.stream.replace(/\n$/, ''));
    }
    return lines;
  }

  listImages(options: { all?: boolean; digests?: boolean; filters?: Record<string, string[]> } = {}): Promise<ImageSummary[]> {
    const filters = options.filters && Object.keys(options.filters).length ? JSON.stringify(options.filters) : undefined;
    return this.transport.json('GET', '/images/json', { query: { all: options.all, digests: options.digests, filters } satisfies QueryOf<ImageListQuery> });
  }

  /** `docker rmi`: the daemon's records of what it untagged and deleted. */
  removeImage(name: string, options: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteRecord[]> {
    return this.transport.json('DELETE', `/images/${pathParam(name)}`, { query: { force: options.force, noprune: options.noPrune } satisfies QueryOf<ImageRemoveQuery> });
  }

  tagImage(name: string, repo: string, tag?: string): Promise<void> {
    return this.transport.call('POST', `/images/${pathParam(name)}/tag`, { query: { repo, tag } satisfies QueryOf<ImageTagQuery> });
  }

  imageHistory(name: string): Promise<ImageHistoryItem[]> {
    return this.transport.json('GET', `/images/${pathParam(name)}/history`);
  }

  pruneImages(filters: Record<string, string[]> = {}): Promise<ImagePruneReport> {
    const encoded = Object.keys(filters).length ? JSON.stringify(filters) : undefined;
    return this.transport.json('POST', '/images/prune', { query: { filters: encoded } satisfies QueryOf<FiltersQuery> });
  }

  /** `docker save`: the archive of the named images as a stream. */
  async saveImages(names: string[]): Promise<Readable> {
    return this.transport.request('GET', '/images/get', { query: { names } satisfies QueryOf<ImageSaveQuery> });
  }

  /** `docker import` from a tar stream; returns the new image ID. */
  async importImage(tar: Readable, options: { repo?: string; tag?: string; message?: string; changes?: string[] } = {}): Promise<string> {
    const response = await this.transport.request('POST', '/images/create', {
      query: { fromSrc: '-', repo: options.repo, tag: options.tag, message: options.message, changes: options.changes } satisfies QueryOf<ImageCreateQuery>,
      body: tar,
      contentType: 'application/x-tar',
    });
    let id = '';
    for await (const message of readJsonLines<ProgressMessage>(response)) {
      if (message.error || message.errorDetail) throw daemonError(500, message.errorDetail?.message ?? message.error ?? '');
      if (message.status) id = message.status;
    }
    return id;
  }

  commitContainer(
    container: string,
    options: { repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] } = {},
  ): Promise<{ Id: string }> {
    const { repo, tag, comment, author, changes } = options;
    const pause = options.pause === false ? '0' : undefined;
    return this.transport.json('POST', '/commit', { query: { container, repo, tag, comment, author, pause, changes } satisfies QueryOf<CommitQuery> });
  }

  systemDf(): Promise<SystemDfResponse> {
    return this.transport.json('GET', '/system/df');
  }

  inspectImage(name: string): Promise<ImageInspect> {
    return this.transport.json('GET', `/images/${pathParam(name)}/json`);
  }

  createContainer(body: ContainerCreateRequest, options: { name?: string } = {}): Promise<ContainerCreateResponse> {
    return this.transport.json('POST', '/containers/create', { query: { name: options.name } satisfies QueryOf<ContainerCreateQuery>, body });
  }

  startContainer(id: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/start`);
  }

  stopContainer(id: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/stop`, { query: { t: options.timeout, signal: options.signal } satisfies QueryOf<ContainerStopQuery> });
  }

  killContainer(id: string, signal?: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/kill`, { query: { signal } satisfies QueryOf<ContainerKillQuery> });
  }

  async waitContainer(id: string, condition?: WaitCondition): Promise<ContainerWaitResponse> {
    return (await this.beginWait(id, condition)).result;
  }

  /**
   * Starts a wait and resolves once the daemon has answered its headers — moby sends them after it
   * armed the waiter, so a `start` issued afterwards cannot exit unseen (this is how `docker run`
   * catches the exit). The exit status arrives later in `result`.
   */
  async beginWait(id: string, condition?: WaitCondition): Promise<PendingWait> {
    const response = await this.transport.request('POST', `/containers/${pathParam(id)}/wait`, { query: { condition } satisfies QueryOf<ContainerWaitQuery> });
    const result = readBody(response).then((body) => JSON.parse(body.toString('utf8')) as ContainerWaitResponse);
    // Callers that give up (e.g. start failed) need not consume it; keep that from being an unhandled rejection.
    result.catch(() => undefined);
    return { result };
  }

  /** Hijacked attach (`Upgrade: tcp`, 101): the socket carries stdin up and the output down. */
  async attachContainer(id: string, options: AttachOptions): Promise<ContainerAttachment> {
    const { socket, response, apiVersion } = await this.transport.hijack('POST', `/containers/${pathParam(id)}/attach`, {
      query: {
        stream: options.stream,
        logs: options.logs,
        stdin: options.stdin,
        stdout: options.stdout,
        stderr: options.stderr,
        detachKeys: options.detachKeys,
      } satisfies QueryOf<ContainerAttachQuery>,
    });
    const multiplexed =
      compareApiVersions(apiVersion, CONTENT_TYPE_API_VERSION) >= 0
        ? response.headers['content-type'] === MULTIPLEXED_STREAM_CONTENT_TYPE
        : !options.tty;
    return {
      socket,
      multiplexed,
      copyOutput: (stdout, stderr) => (multiplexed ? demuxOutput(socket, stdout, stderr) : copyRawOutput(socket, stdout)),
    };
  }

  /** `docker logs`: the log stream, multiplexed unless the container has a TTY. */
  async containerLogs(id: string, options: ContainerLogsOptions): Promise<ContainerOutput> {
    const response = await this.transport.request('GET', `/containers/${pathParam(id)}/logs`, {
      query: { stdout: true, stderr: true, follow: options.follow, tail: options.tail, since: options.since, until: options.until, timestamps: options.timestamps } satisfies QueryOf<ContainerLogsQuery>,
    });
    const multiplexed = response.headers['content-type'] === MULTIPLEXED_STREAM_CONTENT_TYPE || (response.headers['content-type'] !== RAW_STREAM_CONTENT_TYPE && !options.tty);
    return { multiplexed, copyOutput: (stdout, stderr) => (multiplexed ? demuxOutput(response, stdout, stderr) : copyRawOutput(response, stdout)) };
  }

  resizeContainer(id: string, height: number, width: number): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/resize`, { query: { h: height, w: width } satisfies QueryOf<ResizeQuery> });
  }

  createExec(id: string, config: ExecCreateRequest): Promise<{ Id: string }> {
    return this.transport.json('POST', `/containers/${pathParam(id)}/exec`, { body: config });
  }

  /** `docker exec` without -d: the exec's stdio on a hijacked connection. */
  async startExec(execId: string, options: { tty: boolean }): Promise<ContainerAttachment> {
    const { socket, response } = await this.transport.hijack('POST', `/exec/${pathParam(execId)}/start`, { body: { Detach: false, Tty: options.tty } satisfies ExecStartRequest });
    const multiplexed = response.headers['content-type'] === MULTIPLEXED_STREAM_CONTENT_TYPE || (response.headers['content-type'] !== RAW_STREAM_CONTENT_TYPE && !options.tty);
    return { socket, multiplexed, copyOutput: (stdout, stderr) => (multiplexed ? demuxOutput(socket, stdout, stderr) : copyRawOutput(socket, stdout)) };
  }

  startExecDetached(execId: string): Promise<void> {
    return this.transport.call('POST', `/exec/${pathParam(execId)}/start`, { body: { Detach: true, Tty: false } satisfies ExecStartRequest });
  }

  inspectExec(execId: string): Promise<{ ExitCode: number | null; Running: boolean; Pid: number }> {
    return this.transport.json('GET', `/exec/${pathParam(execId)}/json`);
  }

  resizeExec(execId: string, height: number, width: number): Promise<void> {
    return this.transport.call('POST', `/exec/${pathParam(execId)}/resize`, { query: { h: height, w: width } satisfies QueryOf<ResizeQuery> });
  }

  listContainers(options: { all?: boolean; filters?: Record<string, string[]>; size?: boolean; limit?: number } = {}): Promise<ContainerSummary[]> {
    const filters = options.filters && Object.keys(options.filters).length ? JSON.stringify(options.filters) : undefined;
    return this.transport.json('GET', '/containers/json', {
      query: { all: options.all, size: options.size, limit: options.limit, filters } satisfies QueryOf<ContainerListQuery>,
    });
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.transport.json('GET', `/containers/${pathParam(id)}/json`);
  }

  restartContainer(id: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/restart`, { query: { t: options.timeout, signal: options.signal } satisfies QueryOf<ContainerStopQuery> });
  }

  pauseContainer(id: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/pause`);
  }

  unpauseContainer(id: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/unpause`);
  }

  renameContainer(id: string, name: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/rename`, { query: { name } satisfies QueryOf<ContainerRenameQuery> });
  }

  updateContainer(id: string, body: ContainerUpdateRequest): Promise<ContainerUpdateResponse> {
    return this.transport.json('POST', `/containers/${pathParam(id)}/update`, { body });
  }

  pruneContainers(filters: Record<string, string[]> = {}): Promise<ContainerPruneResponse> {
    const encoded = Object.keys(filters).length ? JSON.stringify(filters) : undefined;
    return this.transport.json('POST', '/containers/prune', { query: { filters: encoded } satisfies QueryOf<FiltersQuery> });
  }

  topContainer(id: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.transport.json('GET', `/containers/${pathParam(id)}/top`, { query: { ps_args: psArgs } satisfies QueryOf<ContainerTopQuery> });
  }

  /** One stats sample (with precpu_stats filled in, as `docker stats --no-stream` reads it). */
  containerStats(id: string): Promise<ContainerStatsResponse> {
    return this.transport.json('GET', `/containers/${pathParam(id)}/stats`, { query: { stream: '0' } satisfies QueryOf<ContainerStatsQuery> });
  }

  removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return this.transport.call('DELETE', `/containers/${pathParam(id)}`, { query: { force: options.force, v: options.volumes } satisfies QueryOf<ContainerRemoveQuery> });
  }

  listVolumes(filters: Record<string, string[]> = {}): Promise<VolumeListResponse> {
    return this.transport.json('GET', '/volumes', { query: { filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined } satisfies QueryOf<FiltersQuery> });
  }

  createVolume(body: VolumeCreateRequest): Promise<Volume> {
    return this.transport.json('POST', '/volumes/create', { body });
  }

  inspectVolume(name: string): Promise<Volume> {
    return this.transport.json('GET', `/volumes/${pathParam(name)}`);
  }

  removeVolume(name: string, options: { force?: boolean } = {}): Promise<void> {
    return this.transport.call('DELETE', `/volumes/${pathParam(name)}`, { query: { force: options.force } satisfies QueryOf<VolumeRemoveQuery> });
  }

  pruneVolumes(filters: Record<string, string[]> = {}): Promise<VolumePruneResponse> {
    return this.transport.json('POST', '/volumes/prune', { query: { filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined } satisfies QueryOf<FiltersQuery> });
  }

  /**
   * `GET /events`: resolves once the daemon answered, then yields events until `until` passes (never
   * without it); `since`/`until` are unix times as the docker CLI sends them ("seconds[.nanoseconds]").
   */
  async events(options: EventsOptions = {}): Promise<AsyncGenerator<EventMessage>> {
    const filters = options.filters && Object.keys(options.filters).length ? JSON.stringify(options.filters) : undefined;
    const response = await this.transport.request('GET', '/events', { query: { since: options.since, until: options.until, filters } satisfies QueryOf<EventsQuery> });
    return readJsonLines<EventMessage>(response);
  }
}
