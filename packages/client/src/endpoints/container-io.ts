import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import {
  compareApiVersions,
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  type ContainerAttachQuery,
  type ContainerLogsQuery,
  type ContainerWaitQuery,
  type ContainerWaitResponse,
  type ResizeQuery,
  type WaitCondition,
} from '@berth/api';
import { outputCopier } from '../output-copy.js';
import { pathParam, type QueryOf } from '../query.js';
import { isMultiplexed, readBody } from '../response.js';
import type { Transport } from '../transport.js';

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

/** Resolves once the daemon has answered the headers, which moby sends after arming the waiter. */
export async function beginWait(transport: Transport, id: string, condition?: WaitCondition): Promise<PendingWait> {
  const response = await transport.request('POST', `/containers/${pathParam(id)}/wait`, { query: { condition } satisfies QueryOf<ContainerWaitQuery> });
  const result = readBody(response).then((body) => JSON.parse(body.toString('utf8')) as ContainerWaitResponse);
  // Callers that give up (e.g. start failed) need not consume it; keep that from being an unhandled rejection.
  result.catch(() => undefined);
  return { result };
}

export async function attachContainer(transport: Transport, id: string, options: AttachOptions): Promise<ContainerAttachment> {
  const { stream, logs, stdin, stdout, stderr, detachKeys } = options;
  const { socket, response, apiVersion } = await transport.hijack('POST', `/containers/${pathParam(id)}/attach`, {
    query: { stream, logs, stdin, stdout, stderr, detachKeys } satisfies QueryOf<ContainerAttachQuery>,
  });
  const multiplexed =
    compareApiVersions(apiVersion, CONTENT_TYPE_API_VERSION) >= 0
      ? response.headers['content-type'] === MULTIPLEXED_STREAM_CONTENT_TYPE
      : !options.tty;
  return { socket, multiplexed, copyOutput: outputCopier(socket, multiplexed) };
}

export async function containerLogs(transport: Transport, id: string, options: ContainerLogsOptions): Promise<ContainerOutput> {
  const { follow, tail, since, until, timestamps } = options;
  const response = await transport.request('GET', `/containers/${pathParam(id)}/logs`, {
    query: { stdout: true, stderr: true, follow, tail, since, until, timestamps } satisfies QueryOf<ContainerLogsQuery>,
  });
  const multiplexed = isMultiplexed(response, options.tty);
  return { multiplexed, copyOutput: outputCopier(response, multiplexed) };
}

/** Resizes the TTY of a container (`containers`) or of an exec (`exec`). */
export function resizeTty(transport: Transport, kind: 'containers' | 'exec', id: string, height: number, width: number): Promise<void> {
  return transport.call('POST', `/${kind}/${pathParam(id)}/resize`, { query: { h: height, w: width } satisfies QueryOf<ResizeQuery> });
}
