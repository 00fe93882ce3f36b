import { join } from 'node:path';
import type { IdMappings } from '@berth/layer';
import type { EngineEvents } from '../events/engine-events.js';
import type { RuntimeDriver, TaskSpec } from '../runtime/index.js';
import type { ContainerRepository } from '../ports.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { ExitWaiters } from './exit-waiters.js';
import { recordedLogSettings } from './log-config.js';
import type { ContainerRecord } from './record.js';
import { RestartSupervisor } from './restart-supervisor.js';
import { userNamespaceOf } from './user-namespace.js';
import { markRestartCancelled } from './state.js';
import { bundleDirIn, logPathIn } from './task-paths.js';
import { assertTransition, can, type Transition, type TransitionSubject } from './transitions.js';

export interface EngineLog {
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ContainerCoreOptions {
  store: ContainerRepository;
  runtime: RuntimeDriver;
  events: EngineEvents;
  execRoot: string;
  log: EngineLog;
  /** The daemon's `--userns-remap` mapping: containers get a user namespace with it unless `--userns host`. */
  remap?: IdMappings;
}

/**
 * What the container services share: the records, the per-container lock every state change takes,
 * the removals under way, the callers waiting for exits and the restart timers.
 */
export class ContainerCore {
  readonly lock = new KeyedLock();
  readonly removing = new Set<string>();
  readonly waiters = new ExitWaiters();
  readonly restarts = new RestartSupervisor();
  readonly store: ContainerRepository;
  readonly runtime: RuntimeDriver;
  readonly events: EngineEvents;
  readonly log: EngineLog;

  constructor(private readonly o: ContainerCoreOptions) {
    this.store = o.store;
    this.runtime = o.runtime;
    this.events = o.events;
    this.log = o.log;
  }

  /** Where the runtime keeps a container's task: bundle, log, conmon's exit and persist dirs. */
  taskSpec(c: ContainerRecord): TaskSpec {
    const dir = this.store.dirOf(c.id);
    const logSettings = recordedLogSettings(c.hostConfig.LogConfig);
    return {
      id: c.id,
      bundleDir: bundleDirIn(dir),
      logPath: logPathIn(dir),
      exitDir: join(this.o.execRoot, 'exits'),
      persistDir: join(this.o.execRoot, 'containers', c.id),
      terminal: c.config.Tty ?? false,
      openStdin: c.config.OpenStdin ?? false,
      stdinOnce: c.config.StdinOnce ?? false,
      logSizeMax: logSettings.maxSize,
      noLog: logSettings.driver === 'none',
    };
  }

  /** The user namespace mapping a container runs with; none when the daemon does not remap or it opted out. */
  userNamespaceOf(c: ContainerRecord): IdMappings | undefined {
    return userNamespaceOf(c, this.o.remap);
  }

  get remapped(): boolean {
    return this.o.remap !== undefined;
  }

  subject(c: ContainerRecord): TransitionSubject {
    return { id: c.id, name: c.name, state: c.state, removing: this.removing.has(c.id) };
  }

  can(transition: Transition, c: ContainerRecord): boolean {
    return can(transition, this.subject(c));
  }

  /** Throws moby's error when the container's state refuses the transition. */
  assert(transition: Transition, c: ContainerRecord): void {
    assertTransition(transition, this.subject(c));
  }

  /** moby's ExitOnNext: the next exit is final, and a pending restart is cancelled; true if there was one. */
  async cancelPendingRestart(c: ContainerRecord): Promise<boolean> {
    if (!this.restarts.exitOnNext(c.id)) return false;
    await this.endRestarting(c);
    return true;
  }

  async endRestarting(c: ContainerRecord): Promise<void> {
    c.state = markRestartCancelled(c.state);
    await this.store.save(c);
    this.waiters.exited(c.id, { StatusCode: c.state.exitCode, Error: null });
  }
}
