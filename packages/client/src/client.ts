import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import {
  compareApiVersions,
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  type ContainerCreateRequest,
  type ContainerCreateResponse,
  type ContainerInspect,
  type ContainerSummary,
  type ContainerWaitResponse,
  type ImageInspect,
  type ImageSummary,
  type InfoResponse,
  type ProgressMessage,
  type VersionResponse,
} from '@berth/api';
import { daemonError } from './daemon-errors.js';
import { defaultHost, parseHost } from './host.js';
import { readJsonLines } from './json-lines.js';
import { copyRawOutput, demuxOutput } from './output-copy.js';
import { pathParam } from './query.js';
import { readBody } from './response.js';
import { Transport } from './transport.js';

export interface BerthClientOptions {
  /** `unix:///path` or `tcp://host:port`; defaults to BERTH_HOST, DOCKER_HOST, then the default socket. */
  host?: string;
  /** Pins the API version; without it the client negotiates down to the server's. */
  apiVersion?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

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
      query: { quiet: options.quiet },
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

  listImages(options: { all?: boolean } = {}): Promise<ImageSummary[]> {
    return this.transport.json('GET', '/images/json', { query: { all: options.all } });
  }

  inspectImage(name: string): Promise<ImageInspect> {
    return this.transport.json('GET', `/images/${pathParam(name)}/json`);
  }

  createContainer(body: ContainerCreateRequest, options: { name?: string } = {}): Promise<ContainerCreateResponse> {
    return this.transport.json('POST', '/containers/create', { query: { name: options.name }, body });
  }

  startContainer(id: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/start`);
  }

  stopContainer(id: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/stop`, { query: { t: options.timeout, signal: options.signal } });
  }

  killContainer(id: string, signal?: string): Promise<void> {
    return this.transport.call('POST', `/containers/${pathParam(id)}/kill`, { query: { signal } });
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
    const response = await this.transport.request('POST', `/containers/${pathParam(id)}/wait`, { query: { condition } });
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
      },
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

  listContainers(options: { all?: boolean; filters?: Record<string, string[]>; size?: boolean; limit?: number } = {}): Promise<ContainerSummary[]> {
    const filters = options.filters && Object.keys(options.filters).length ? JSON.stringify(options.filters) : undefined;
    return this.transport.json('GET', '/containers/json', {
      query: { all: options.all, size: options.size, limit: options.limit, filters },
    });
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.transport.json('GET', `/containers/${pathParam(id)}/json`);
  }

  removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return this.transport.call('DELETE', `/containers/${pathParam(id)}`, { query: { force: options.force, v: options.volumes } });
  }
}
