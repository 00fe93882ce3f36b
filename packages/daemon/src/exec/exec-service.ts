import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ConflictError, InvalidArgumentError, NotFoundError, type ExecCreateRequest, type ExecStartRequest } from '@berth/api';
import { consoleBox, readHostBoundingSet, type RuntimeSpec } from '@berth/oci';
import type { ContainerInspection } from '../container/inspection-service.js';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import type { ContainerHost } from '../ports.js';
import { execAction, type EngineEvents, type EventContainer } from '../events/engine-events.js';
import type { ExecExit, ExecProcess, RuntimeDriver } from '../runtime/index.js';
import { UNKNOWN_EXIT_CODE } from '../container/live-restore.js';
import { replaceOrAppendEnv } from '../container/env.js';

/**
 * Where a started exec's output goes; `end` comes after the exit code is recorded. The output streams are
 * piped into (never ended), so a sink that stops taking data stops reading the process's output.
 */
export interface ExecStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  end(): void;
}

interface ExecRecord {
  id: string;
  containerId: string;
  /** The container as events name it, kept so an exec that ends after its container's removal is still reported. */
  container: EventContainer;
  config: ExecCreateRequest;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  process?: ExecProcess;
  pendingSize?: { height: number; width: number };
}

type OciProcess = NonNullable<RuntimeSpec['process']>;

export interface ExecServiceOptions {
  lifecycle: Pick<ContainerLifecycle, 'assertCan'>;
  inspection: Pick<ContainerInspection, 'eventSubject'>;
  host: Pick<ContainerHost, 'resolveUser'>;
  runtime: RuntimeDriver;
  /** The container's runtime bundle (holding config.json). */
  bundleDirOf(containerId: string): string;
  events: EngineEvents;
  log: { error(msg: string): void };
}

/** `docker exec`: processes started in running containers, kept in memory (they die with the daemon). */
export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly o: ExecServiceOptions) {}

  /** A removed container's execs go with it, as in Docker. */
  forgetContainer(containerId: string): void {
    for (const [id, record] of this.execs) if (record.containerId === containerId) this.execs.delete(id);
  }

  create(ref: string, config: ExecCreateRequest): { Id: string } {
    const containerId = this.o.lifecycle.assertCan(ref, 'exec');
    if (!config.Cmd?.length) throw new InvalidArgumentError('No exec command specified');
    const id = randomBytes(32).toString('hex');
    const record: ExecRecord = { id, containerId, container: this.o.inspection.eventSubject(containerId), config, running: false, started: false, exitCode: null };
    this.execs.set(id, record);
    this.o.events.container(execAction('exec_create', config.Cmd), record.container, { execID: id });
    return { Id: id };
  }

  get(id: string): ExecRecord {
    const record = this.execs.get(id);
    if (!record) throw new NotFoundError(`No such exec instance: ${id}`);
    return record;
  }

  /** Checks that `start` would be accepted, so a hijacking route can fail with a plain HTTP error first. */
  checkStartable(id: string): ExecRecord {
    const record = this.get(id);
    if (record.running) throw new ConflictError(`exec command ${id} is already running`);
    if (record.started) throw new ConflictError(`exec command ${id} has already run`);
    this.o.lifecycle.assertCan(record.containerId, 'exec');
    return record;
  }

  /** Starts the process; resolves once it runs (its output then flows to `streams`). */
  async start(id: string, streams: ExecStreams, request: ExecStartRequest = {}): Promise<void> {
    const record = this.checkStartable(id);
    record.started = true;
    record.running = true;
    this.o.events.container(execAction('exec_start', record.config.Cmd ?? []), record.container, { execID: id });
    let proc: ExecProcess;
    try {
      const bundleDir = this.o.bundleDirOf(record.containerId);
      // The size given at start wins over the one given at create, as in Docker.
      const consoleSize = request.ConsoleSize ?? record.config.ConsoleSize;
      proc = await this.o.runtime.execProcess({ id: record.containerId, bundleDir }, id, await this.processSpec(record, bundleDir, consoleSize));
    } catch (err) {
      record.running = false;
      record.exitCode = 126;
      throw err;
    }
    record.process = proc;
    if (record.pendingSize) await proc.resize(record.pendingSize.height, record.pendingSize.width).catch(() => undefined);
    if (streams.stdin && record.config.AttachStdin) streams.stdin.pipe(proc.stdin);
    else proc.stdin.end();
    forwardOutput(proc.stdout, record.config.AttachStdout ? streams.stdout : undefined);
    forwardOutput(proc.stderr, record.config.AttachStderr ? streams.stderr : undefined);
    proc.exited
      .catch((): ExecExit => ({ exitCode: UNKNOWN_EXIT_CODE }))
      .then((exit) => {
        if (exit.runtimeError) streams.stderr?.write(Buffer.from(`${exit.runtimeError}\r\n`));
        record.exitCode = exit.exitCode;
        record.running = false;
        // As in moby, only a process that ran dies; one the runtime could not start has no exec_die.
        if (!exit.runtimeError) this.o.events.container('exec_die', record.container, { execID: id, exitCode: String(exit.exitCode) });
        streams.end();
      })
      .catch((err: unknown) => this.o.log.error(`exec ${id}: ${String(err)}`));
  }

  /** The client left with its detach keys; the process runs on (moby's `exec_detach`). */
  detached(id: string): void {
    const record = this.execs.get(id);
    if (record) this.o.events.container('exec_detach', record.container, { execID: id });
  }

  /** Clients resize as soon as they sent start; a size that arrives before the process runs is applied when it does. */
  async resize(id: string, height: number, width: number): Promise<void> {
    const record = this.get(id);
    if (record.process) {
      if (record.running) await record.process.resize(height, width);
      return;
    }
    record.pendingSize = { height, width };
  }

  async inspect(id: string): Promise<Record<string, unknown>> {
    const r = this.get(id);
    const [entrypoint, ...args] = r.config.Cmd ?? [];
    return {
      ID: r.id,
      Running: r.running,
      ExitCode: r.exitCode,
      ProcessConfig: { tty: r.config.Tty ?? false, entrypoint, arguments: args, privileged: r.config.Privileged ?? false, user: r.config.User ?? '' },
      OpenStdin: r.config.AttachStdin ?? false,
      OpenStderr: r.config.AttachStderr ?? false,
      OpenStdout: r.config.AttachStdout ?? false,
      CanRemove: false,
      ContainerID: r.containerId,
      DetachKeys: r.config.DetachKeys ?? '',
      Pid: r.running && r.process ? await r.process.pid() : 0,
    };
  }

  /** The container's own process settings (capabilities, rlimits, env) with the exec's overrides. */
  private async processSpec(record: ExecRecord, bundleDir: string, consoleSize: readonly number[] | null | undefined): Promise<OciProcess> {
    const spec = await this.o.runtime.readBundle({ id: record.containerId, bundleDir });
    const base = spec.process;
    if (!base) throw new ConflictError(`container ${record.containerId} has no process configuration`);
    const { config } = record;
    // As moby: exec variables replace the container's in place, and a bare name unsets one.
    const env = replaceOrAppendEnv(base.env ?? [], config.Env ?? []);
    if (config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    // As in Docker: the exec's own size, else the container's, inherited with the rest of its process.
    const terminalSize = consoleSize ? consoleBox(consoleSize) : base.consoleSize;
    const process: OciProcess = { ...base, terminal: config.Tty ?? false, args: config.Cmd ?? [], env, consoleSize: config.Tty ? terminalSize : undefined };
    if (config.WorkingDir) process.cwd = config.WorkingDir;
    if (config.User) {
      const rootPath = spec.root?.path ?? 'rootfs';
      const rootfs = isAbsolute(rootPath) ? rootPath : join(bundleDir, rootPath);
      const user = await this.o.host.resolveUser(rootfs, config.User);
      process.user = { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids.length ? user.additionalGids : undefined };
    }
    if (config.Privileged) {
      const all = readHostBoundingSet();
      process.capabilities = { bounding: all, effective: all, permitted: all };
    }
    return process;
  }
}

/** Output nobody attached is read and dropped, or the process would block on a full pipe. */
function forwardOutput(source: Readable, sink: Writable | undefined): void {
  if (sink) source.pipe(sink, { end: false });
  else source.resume();
}
