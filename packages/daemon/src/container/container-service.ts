import { EventEmitter } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  ConflictError,
  InvalidArgumentError,
  NotModifiedError,
  type ContainerCreateRequest,
  type ContainerCreateResponse,
  type ContainerInspect,
  type ContainerSummary,
  type ContainerWaitResponse,
} from '@berth/api';
import { serializeRuntimeSpec } from '@berth/oci';
import type { ContainerRootfs, ImageResolver } from '../ports.js';
import { RuntimeConfigError, type ExitStatus, type RuntimeDriver, type TaskSpec } from '../runtime/index.js';
import type { ContainerStore } from './container-store.js';
import { mergeCreateConfig } from './create-config.js';
import { writeEtcFiles } from './etc-files.js';
import { ExitWaiters, type WaitCondition } from './exit-waiters.js';
import { generateContainerId, generateContainerName, normalizeContainerName } from './ids.js';
import type { ContainerRecord } from './record.js';
import { buildContainerSpec } from './runtime-spec.js';
import { initialRunState, markRunning, markStopped } from './state.js';
import { inspectView, summaryView } from './views.js';
import { KeyedLock } from '../util/keyed-lock.js';

/** Where an attached client's streams go; `end` is called once the container's output is over. */
export interface AttachTarget {
  stdin?: Readable;
  stdout?: (data: Buffer) => void;
  stderr?: (data: Buffer) => void;
  end(): void;
  /** Resolves when the client goes away, so a pending attach can be dropped. */
  closed: Promise<void>;
}

export interface ContainerServiceOptions {
  store: ContainerStore;
  images: ImageResolver;
  rootfs: ContainerRootfs;
  runtime: RuntimeDriver;
  execRoot: string;
  /** tini on the host, bind-mounted for `--init`. */
  initPath?: string;
  log: { warn(msg: string): void; error(msg: string): void };
}

export interface ListOptions {
  all?: boolean;
  limit?: number;
}

const DEFAULT_STOP_TIMEOUT_S = 10;

/** The container engine's core: create, start, wait, attach, stop, kill, remove, list, inspect. */
export class ContainerService {
  readonly events = new EventEmitter();
  private readonly waiters = new ExitWaiters();
  private readonly lock = new KeyedLock();
  private readonly removing = new Set<string>();
  private readonly pendingAttaches = new Map<string, AttachTarget[]>();
  private readonly monitors = new Map<string, AbortController>();

  constructor(private readonly o: ContainerServiceOptions) {}

  private taskSpec(c: ContainerRecord): TaskSpec {
    const dir = this.o.store.dirOf(c.id);
    return {
      id: c.id,
      bundleDir: join(dir, 'bundle'),
      logPath: join(dir, 'container.log'),
      exitDir: join(this.o.execRoot, 'exits'),
      persistDir: join(this.o.execRoot, 'containers', c.id),
      terminal: c.config.Tty ?? false,
      openStdin: c.config.OpenStdin ?? false,
      stdinOnce: c.config.StdinOnce ?? false,
    };
  }

  /** Re-adopts containers after a daemon (re)start: running ones are watched again, ended ones recorded. */
  async restore(): Promise<void> {
    for (const c of this.o.store.all()) {
      if (!c.state.running) continue;
      const spec = this.taskSpec(c);
      const exit = await this.o.runtime.readExit(spec);
      if (exit) {
        await this.handleExit(c, exit);
        continue;
      }
      const state = await this.o.runtime.state(c.id);
      if (state && state.status !== 'stopped') this.monitor(c);
      else await this.handleExit(c, { exitCode: 255, finishedAt: new Date(), oomKilled: false });
    }
  }

  /** Stops watching containers (they keep running: live restore is the default). */
  shutdown(): void {
    for (const controller of this.monitors.values()) controller.abort();
    this.monitors.clear();
  }

  async create(request: ContainerCreateRequest, name?: string): Promise<ContainerCreateResponse> {
    if (!request.Image) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    const image = this.o.images.resolve(request.Image);
    const merged = mergeCreateConfig(request, request.Image, image.config.config);
    const id = generateContainerId();
    const record: ContainerRecord = {
      id,
      name: name ? normalizeContainerName(name) : generateContainerName((n) => this.o.store.isNameTaken(n)),
      created: new Date().toISOString(),
      imageRef: request.Image,
      imageId: image.id,
      imageChainId: image.chainId,
      path: merged.path,
      args: merged.args,
      config: { ...merged.config, Hostname: merged.config.Hostname || id.slice(0, 12) },
      hostConfig: merged.hostConfig,
      state: initialRunState(),
      restartCount: 0,
      manuallyStopped: false,
    };
    await this.o.store.add(record);
    this.emit('create', record);
    return { Id: id, Warnings: [] };
  }

  start(ref: string): Promise<void> {
    const c = this.o.store.get(ref);
    return this.lock.run(c.id, async () => {
      if (c.state.running) throw new NotModifiedError('container already started');
      if (this.removing.has(c.id)) throw new ConflictError(`cannot start container ${c.id.slice(0, 12)}: removal in progress`);
      await this.startLocked(c);
    });
  }

  private async startLocked(c: ContainerRecord): Promise<void> {
    const dir = this.o.store.dirOf(c.id);
    const spec = this.taskSpec(c);
    const rootfs = await this.o.rootfs.mountContainerRoot(dir, c.imageChainId);
    try {
      const etc = await writeEtcFiles(dir, c.config.Hostname ?? c.id.slice(0, 12), c.hostConfig.ExtraHosts ?? []);
      const runtimeSpec = await buildContainerSpec(c, { rootfs, etc, initPath: this.o.initPath });
      await mkdir(spec.bundleDir, { recursive: true, mode: 0o700 });
      await mkdir(spec.persistDir, { recursive: true, mode: 0o700 });
      await mkdir(spec.exitDir, { recursive: true, mode: 0o700 });
      await rm(join(spec.exitDir, c.id), { force: true });
      await writeFile(join(spec.bundleDir, 'config.json'), serializeRuntimeSpec(runtimeSpec));
      await this.o.runtime.delete(c.id, true);
      const { pid } = await this.o.runtime.create(spec);
      await this.connectPendingAttaches(c);
      await this.o.runtime.start(c.id);
      c.state = markRunning(c.state, pid, new Date());
      c.manuallyStopped = false;
      await this.o.store.save(c);
    } catch (err) {
      await this.o.runtime.delete(c.id, true).catch(() => undefined);
      await this.o.rootfs.unmountContainerRoot(dir).catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      c.state = { ...c.state, error: message, exitCode: err instanceof RuntimeConfigError ? err.exitCode : 128 };
      await this.o.store.save(c);
      // moby removes an AutoRemove container whose start failed; `docker run --rm` waits for that.
      if (c.hostConfig.AutoRemove) await this.removeLocked(c);
      throw err;
    }
    this.emit('start', c);
    this.monitor(c);
  }

  private monitor(c: ContainerRecord): void {
    const controller = new AbortController();
    this.monitors.set(c.id, controller);
    this.o.runtime.waitExit(this.taskSpec(c), controller.signal).then(
      (exit) => {
        this.monitors.delete(c.id);
        return this.lock.run(c.id, () => this.handleExit(c, exit));
      },
      (err: unknown) => {
        if (!controller.signal.aborted) this.o.log.error(`watching container ${c.id}: ${String(err)}`);
      },
    ).catch((err: unknown) => this.o.log.error(`handling exit of ${c.id}: ${String(err)}`));
  }

  private async handleExit(c: ContainerRecord, exit: ExitStatus): Promise<void> {
    const dir = this.o.store.dirOf(c.id);
    await this.o.runtime.delete(c.id, true).catch((err: unknown) => this.o.log.warn(`runtime delete ${c.id}: ${String(err)}`));
    await this.o.rootfs.unmountContainerRoot(dir).catch((err: unknown) => this.o.log.warn(`unmount ${c.id}: ${String(err)}`));
    c.state = markStopped(c.state, exit);
    await this.o.store.save(c);
    this.emit('die', c, { exitCode: String(exit.exitCode) });
    this.waiters.exited(c.id, { StatusCode: exit.exitCode, Error: null });
    if (c.hostConfig.AutoRemove && !this.removing.has(c.id)) await this.removeLocked(c);
  }

  /**
   * Blocks until the condition holds. Registration is synchronous, so a caller that sends response
   * headers after calling this cannot miss an exit that happens later.
   */
  wait(ref: string, condition: WaitCondition = 'not-running'): Promise<ContainerWaitResponse> {
    const c = this.o.store.get(ref);
    if (condition === 'not-running' && !c.state.running) return Promise.resolve({ StatusCode: c.state.exitCode, Error: null });
    return this.waiters.add(c.id, condition);
  }

  async stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const c = this.o.store.get(ref);
    if (!c.state.running) throw new NotModifiedError('container already stopped');
    c.manuallyStopped = true;
    await this.o.store.save(c);
    const timeout = timeoutSeconds ?? c.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const exited = this.waiters.add(c.id, 'next-exit');
    const sent = await this.o.runtime.kill(c.id, signal || c.config.StopSignal || 'SIGTERM').then(
      () => true,
      () => false,
    );
    // moby waits only 2 s when the stop signal could not be delivered.
    const grace = sent ? timeout : Math.min(timeout, 2);
    const inTime = grace < 0 ? await exited.then(() => true) : await Promise.race([exited.then(() => true), delay(grace * 1000).then(() => false)]);
    if (!inTime) {
      await this.o.runtime.kill(c.id, 'SIGKILL').catch(() => undefined);
      await exited;
    }
    this.emit('stop', c);
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const c = this.o.store.get(ref);
    if (!c.state.running) throw new ConflictError(`Container ${c.id} is not running`);
    c.manuallyStopped = true;
    await this.o.store.save(c);
    await this.o.runtime.kill(c.id, signal);
    this.emit('kill', c, { signal });
  }

  async remove(ref: string, options: { force?: boolean } = {}): Promise<void> {
    const c = this.o.store.get(ref);
    if (this.removing.has(c.id)) throw new ConflictError(`removal of container ${c.id.slice(0, 12)} is already in progress`);
    if (c.state.running) {
      if (!options.force) {
        throw new ConflictError(`cannot remove container "${c.name}": container is running: stop the container before removing or force remove`);
      }
      this.removing.add(c.id);
      const exited = this.waiters.add(c.id, 'next-exit');
      await this.o.runtime.kill(c.id, 'SIGKILL').catch(() => undefined);
      await exited;
    }
    this.removing.add(c.id);
    await this.lock.run(c.id, () => this.removeLocked(c));
  }

  private async removeLocked(c: ContainerRecord): Promise<void> {
    this.removing.add(c.id);
    try {
      const spec = this.taskSpec(c);
      await this.o.runtime.delete(c.id, true);
      await this.o.rootfs.unmountContainerRoot(this.o.store.dirOf(c.id));
      await rm(spec.persistDir, { recursive: true, force: true });
      await rm(join(spec.exitDir, c.id), { force: true });
      await this.o.store.delete(c.id);
    } finally {
      this.removing.delete(c.id);
    }
    this.pendingAttaches.get(c.id)?.forEach((t) => t.end());
    this.pendingAttaches.delete(c.id);
    this.emit('destroy', c);
    this.waiters.removed(c.id, { StatusCode: c.state.exitCode, Error: null });
  }

  /** Attaches a client now if the container runs, else when it next starts (docker run attaches first). */
  async attach(ref: string, target: AttachTarget): Promise<void> {
    const c = this.o.store.get(ref);
    if (c.state.running) {
      await this.connectAttach(c, target);
      return;
    }
    const list = this.pendingAttaches.get(c.id) ?? [];
    list.push(target);
    this.pendingAttaches.set(c.id, list);
    void target.closed.then(() => {
      const remaining = (this.pendingAttaches.get(c.id) ?? []).filter((t) => t !== target);
      if (remaining.length) this.pendingAttaches.set(c.id, remaining);
      else this.pendingAttaches.delete(c.id);
    });
  }

  private async connectPendingAttaches(c: ContainerRecord): Promise<void> {
    const targets = this.pendingAttaches.get(c.id) ?? [];
    this.pendingAttaches.delete(c.id);
    await Promise.all(targets.map((t) => this.connectAttach(c, t)));
  }

  private async connectAttach(c: ContainerRecord, target: AttachTarget): Promise<void> {
    const session = await this.o.runtime.attach(this.taskSpec(c), {
      stdin: target.stdin,
      onStdout: target.stdout,
      onStderr: target.stderr,
    });
    void session.ended.then(
      () => target.end(),
      () => target.end(),
    );
    void target.closed.then(() => session.detach());
  }

  list(options: ListOptions = {}): ContainerSummary[] {
    const now = new Date();
    let records = this.o.store.all().sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
    if (!options.all && !(options.limit && options.limit > 0)) records = records.filter((c) => c.state.running);
    if (options.limit && options.limit > 0) records = records.slice(0, options.limit);
    return records.map((c) => summaryView(c, now, this.removing.has(c.id)));
  }

  inspect(ref: string): ContainerInspect {
    const c = this.o.store.get(ref);
    return inspectView(c, { dir: this.o.store.dirOf(c.id), logPath: this.taskSpec(c).logPath }, this.removing.has(c.id));
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.o.store.all();
    const running = all.filter((c) => c.state.running && !c.state.paused).length;
    const paused = all.filter((c) => c.state.paused).length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  private emit(action: string, c: ContainerRecord, extra: Record<string, string> = {}): void {
    this.events.emit('event', {
      Type: 'container',
      Action: action,
      Actor: { ID: c.id, Attributes: { image: c.imageRef, name: c.name.slice(1), ...(c.config.Labels ?? {}), ...extra } },
      time: Math.floor(Date.now() / 1000),
      timeNano: Date.now() * 1_000_000,
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
