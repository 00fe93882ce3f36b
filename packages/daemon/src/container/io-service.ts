import type { Writable } from 'node:stream';
import { InvalidArgumentError, NotImplementedError } from '@berth/api';
import type { EventContainer } from '../events/engine-events.js';
import type { ContainerLogs } from '../ports.js';
import { drainedOrClosed } from '../util/write-waits.js';
import type { AttachHub, AttachTarget } from './attach-hub.js';
import type { ContainerCore } from './container-core.js';
import { framedLogChunks } from './log-frames.js';
import { recordedLogSettings } from './log-config.js';
import { parseLogTail, parseLogTimeBound } from './log-query.js';

/** `docker logs` as the API asks for it; the times and tail as the client sent them. */
export interface LogsRequest {
  stdout: boolean;
  stderr: boolean;
  since?: string;
  until?: string;
  tail?: string;
  timestamps: boolean;
  follow: boolean;
}

export interface LogsStream {
  tty: boolean;
  /** Ready-to-send chunks of the log, ending with it (or, when following, with the container); each is valid until the next is asked for. */
  chunks: AsyncIterable<Buffer>;
}

/** A container's I/O: attached clients, its terminal's size and its log. */
export interface ContainerIo {
  /** Attaches a client now if the container runs, else when it next starts (docker run attaches first). */
  attach(ref: string, target: AttachTarget): Promise<void>;
  /** Resizes a TTY container's terminal (ConflictError when it has no conmon). */
  resize(ref: string, height: number, width: number): Promise<void>;
  /** Checks the request and opens the log; reading stops when `signal` aborts (the client left). */
  logs(ref: string, request: LogsRequest, signal: AbortSignal): LogsStream;
  /** Attach with `logs=1`: what the container wrote so far to the streams given a sink, before the live stream, at the client's pace. */
  replayLog(ref: string, sinks: { stdout?: Writable; stderr?: Writable }): Promise<void>;
  /** Attach with `stream=0` (after any replayed log): reported as an attach, as moby does, though nothing stays attached. */
  attachedWithoutStream(c: EventContainer): void;
  /** An attached client left with its detach keys: reported as Docker does. */
  detached(c: EventContainer): void;
}

export class IoService implements ContainerIo {
  constructor(
    private readonly core: ContainerCore,
    private readonly attaches: AttachHub,
    private readonly logFiles: ContainerLogs,
  ) {}

  async attach(ref: string, target: AttachTarget): Promise<void> {
    const c = this.core.store.get(ref);
    this.core.events.container('attach', c);
    await this.attaches.attach(c, target);
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const c = this.core.store.get(ref);
    // Not gated on state.running: clients resize while start is still in progress, and conmon already listens.
    if (c.config.Tty) await this.core.runtime.resize(this.core.taskSpec(c), height, width);
  }

  logs(ref: string, request: LogsRequest, signal: AbortSignal): LogsStream {
    const { core } = this;
    const c = core.store.get(ref);
    const settings = recordedLogSettings(c.hostConfig.LogConfig);
    if (settings.driver === 'none') throw new NotImplementedError('configured logging driver does not support reading');
    if (!request.stdout && !request.stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
    const since = parseLogTimeBound(request.since, 'since');
    const until = parseLogTimeBound(request.until, 'until');
    const tail = parseLogTail(request.tail);
    const follow = request.follow && c.state.running;
    // Bound to the client: a follower that leaves drops its wait too.
    const exited = follow ? core.waiters.add(c.id, 'not-running', signal).then(() => undefined, () => undefined) : undefined;
    const tty = c.config.Tty ?? false;
    const lines = this.logFiles.read(core.taskSpec(c).logPath, settings.maxFile, { follow, since, until, tail, stopWhen: exited, signal });
    return { tty, chunks: framedLogChunks(lines, { stdout: request.stdout, stderr: request.stderr, timestamps: request.timestamps, tty }) };
  }

  async replayLog(ref: string, sinks: { stdout?: Writable; stderr?: Writable }): Promise<void> {
    const c = this.core.store.get(ref);
    for await (const batch of this.logFiles.readLive(this.core.taskSpec(c).logPath)) {
      for (const record of batch) {
        const sink = record.stream === 'stdout' ? sinks.stdout : sinks.stderr;
        if (sink && !sink.write(record.data)) await drainedOrClosed(sink);
      }
    }
  }

  attachedWithoutStream(c: EventContainer): void {
    this.core.events.container('attach', c);
  }

  detached(c: EventContainer): void {
    this.core.events.container('detach', c);
  }
}
