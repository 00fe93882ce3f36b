import type { Readable, Writable } from 'node:stream';
import type { RuntimeSpec } from '@berth/oci';
import type { ExecProcess } from './exec-process.js';
import type { MonitorReaper } from './monitor-reaper.js';

/** Everything conmon needs to create one container's task. Directories must exist. */
export interface TaskSpec {
  /** Container id (64 hex). */
  id: string;
  /** Holds config.json (written by the caller); conmon also puts `attach`, `ctl`, `winsz` and `pidfile` here. */
  bundleDir: string;
  /** conmon k8s-file log path. */
  logPath: string;
  /** conmon writes `<exitDir>/<id>` holding the decimal exit code. */
  exitDir: string;
  /** Per-container conmon persist dir: `exit`, `oom` marker, and our `conmon.pid`. */
  persistDir: string;
  terminal: boolean;
  /** Keep the container's stdin open for attach (`-i`). */
  openStdin: boolean;
  /**
   * Close the container's stdin when an attach connection ends (Docker's StdinOnce). Without it conmon
   * runs with `--leave-stdin-open`, so a client's stdin EOF does not reach the container.
   */
  stdinOnce?: boolean;
  logSizeMax?: number;
  /** Keep no log at all (`--log-driver none`): the output goes only to attached clients. */
  noLog?: boolean;
}

export type ExitSpec = Pick<TaskSpec, 'id' | 'exitDir' | 'persistDir'>;
export type BundleSpec = Pick<TaskSpec, 'id' | 'bundleDir'>;

export interface ExitStatus {
  /** 128 + signal when the process was killed by a signal (conmon's convention, same as Docker's). */
  exitCode: number;
  finishedAt: Date;
  oomKilled: boolean;
}

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface RuntimeState {
  status: RuntimeStatus;
  /** 0 once the container stopped. */
  pid: number;
}

export interface AttachOptions {
  /** Piped into the container's stdin; its end half-closes the session (see AttachSession.closeStdin). */
  stdin?: Readable;
  /** Where the container's output goes; while one refuses more (write returns false), conmon is not read. */
  stdout?: Writable;
  stderr?: Writable;
}

/** One connection to conmon's attach socket. Output of a TTY container arrives as stdout. */
export interface AttachSession {
  /** Sends bytes to the container's stdin (dropped by conmon when the task has no open stdin). */
  write(data: Buffer): Promise<void>;
  /** Half-closes the connection; conmon then closes the container's stdin unless it runs with `--leave-stdin-open`. */
  closeStdin(): void;
  /** Drops the connection; the container keeps running. */
  detach(): void;
  /** Resolves when conmon ends the stream: the container's output is over (or the session was detached). */
  readonly ended: Promise<void>;
}

/** The one interface through which the engine drives conmon and the OCI runtime. */
export interface RuntimeDriver {
  readonly name: 'runc' | 'crun';
  /**
   * Spawns a detached conmon that runs `<runtime> create`; resolves with the container's pid once the task is
   * in `created`. Throws RuntimeConfigError (bad command or mount) or OciRuntimeError with the runtime's message.
   * With `prepareBundle`, the previous config.json is removed, conmon spawned, then `prepareBundle` called to
   * write the bundle while conmon starts; conmon runs the runtime only once it resolved. When it rejects,
   * conmon is killed before it ran anything and create rejects with that reason. The bundle, persist and exit
   * dirs are made here if missing.
   */
  create(spec: TaskSpec, prepareBundle?: () => Promise<void>): Promise<{ pid: number }>;
  /** Writes the task's bundle (its runtime spec): as create's `prepareBundle`, or before `create`. */
  writeBundle(spec: TaskSpec, runtimeSpec: RuntimeSpec): Promise<void>;
  /** The runtime spec the task was created with (exec starts its processes from it). */
  readBundle(spec: BundleSpec): Promise<RuntimeSpec>;
  /** Removes what conmon kept for a task that is gone for good (its container is being removed). */
  removeTaskFiles(spec: ExitSpec): Promise<void>;
  start(id: string): Promise<void>;
  /** Resolves without error when the container is no longer running; NotFoundError when the runtime doesn't know it. */
  kill(id: string, signal: number, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Idempotent: a container the runtime doesn't know is fine. Without `force`, a running container is a ConflictError. */
  delete(id: string, force?: boolean): Promise<void>;
  /** null when the runtime doesn't know the container. */
  state(id: string): Promise<RuntimeState | null>;
  /** Whether the runtime keeps state for the container (a task created or running), read without running the runtime. */
  hasState(id: string): Promise<boolean>;
  /**
   * Resolves when conmon has written the exit file (also for a conmon started by an earlier daemon). If the conmon
   * recorded in the persist dir dies without writing one, resolves with exit code 255. Rejects with the abort reason.
   */
  waitExit(spec: ExitSpec, signal?: AbortSignal): Promise<ExitStatus>;
  /** The exit status if conmon already wrote it. */
  readExit(spec: ExitSpec): Promise<ExitStatus | null>;
  /** Whether the conmon that monitors this container is still alive (for live restore). */
  isMonitorAlive(spec: Pick<TaskSpec, 'id' | 'persistDir'>): Promise<boolean>;
  /** Connects to conmon's attach socket; do this before `start` so no early output is lost. */
  attach(spec: BundleSpec, options?: AttachOptions): Promise<AttachSession>;
  /** Resizes a TTY container's terminal through conmon's ctl FIFO. */
  resize(spec: BundleSpec, height: number, width: number): Promise<void>;
  /**
   * Starts `process` in the running container (`docker exec`), its stdio held by this daemon: runc's pipes,
   * or conmon's attach socket when it has a terminal.
   */
  execProcess(spec: BundleSpec, execId: string, process: NonNullable<RuntimeSpec['process']>): Promise<ExecProcess>;
}

export interface RuntimeDriverOptions {
  runtime: 'runc' | 'crun';
  /** Defaults to the runtime's name looked up in PATH. */
  runtimePath?: string;
  /** Defaults to `conmon` looked up in PATH. */
  conmonPath?: string;
  /** Passed to the runtime as `--root`: keeps separate engines (and test daemons) apart. */
  stateRoot: string;
  /** Collects the conmons this driver starts once they exit; without one, whoever inherits them must. */
  reaper?: MonitorReaper;
}
