import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable, Writable } from 'node:stream';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  NotModifiedError,
  type ContainerCreateRequest,
  type ContainerCreateResponse,
  type ContainerUpdateRequest,
  type ContainerInspect,
  type ContainerSummary,
  type ContainerWaitResponse,
  type WaitCondition,
} from '@berth/api';
import { directorySize, writeFileAtomic } from '@berth/layer';
import { formatPlatform, platformMatches, serializeRuntimeSpec, type Platform } from '@berth/oci';
import type { ContainerRootfs, ImageResolver } from '../ports.js';
import type { EngineEvents, EventContainer } from '../events/engine-events.js';
import { RuntimeConfigError, type ExitStatus, type RuntimeDriver, type TaskSpec } from '../runtime/index.js';
import type { ContainerStore } from './container-store.js';
import { defaultHostname, mergeCreateConfig } from './create-config.js';
import { LogRotators } from './log-rotation.js';
import { logSettings, recordedLogSettings, type LogSettings } from './log-config.js';
import { writeEtcFiles } from './etc-files.js';
import { ExitWaiters } from './exit-waiters.js';
import { generateContainerId, generateContainerName, normalizeContainerName } from './ids.js';
import type { ContainerRecord } from './record.js';
import type { VolumeMounts } from './volume-mounts.js';
import { buildContainerSpec } from './runtime-spec.js';
import { checkRuntimeName, validateHostConfig } from './validate-host-config.js';
import { refuseUnsupportedSettings } from './unsupported-settings.js';
import { withHostConfigDefaults } from './host-config-defaults.js';
import { Cgroup } from './cgroups.js';
import { containerListFilter } from './list-filters.js';
import { pauseContainer, thawAfterSignal, unpauseContainer } from './pause.js';
import { pruneFilter } from './prune.js';
import { renameContainer } from './rename.js';
import { emptyStats, sampleStats, type ContainerStats } from './stats.js';
import { containerTop, type TopResult } from './top.js';
import { updateContainer } from './update.js';
import { initialRunState, markRestarting, markRunning, markStopped } from './state.js';
import { findTask, UNKNOWN_EXIT_CODE } from './live-restore.js';
import { RestartSupervisor } from './restart-supervisor.js';
import { HealthMonitor } from './health-monitor.js';
import { parseSignal, signalAttribute } from './signal-number.js';
import { inspectView, summaryView } from './views.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { mapConcurrently } from '../util/map-concurrently.js';

/** Where an attached client's streams go (written to, never ended); `end` is called once the container's output is over. */
export interface AttachTarget {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  end(): void;
  /** Resolves (never rejects) when the client goes away, so its attach is dropped. */
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
  /** Volumes, binds and tmpfs mounts of containers. */
  mounts: VolumeMounts;
  events: EngineEvents;
  /** Told each removed container's id, for what others keep per container (its execs). */
  onRemoved?: (id: string) => void;
  log: { warn(msg: string): void; error(msg: string): void };
}

export interface ListOptions {
  all?: boolean;
  limit?: number;
  filters?: Record<string, string[]>;
}

const DEFAULT_STOP_TIMEOUT_S = 10;
const SIGKILL = 9;
/** moby's Kill waits this long for the exit, then kills the process directly and waits 2 s more. */
const KILL_EXIT_TIMEOUT_MS = 10_000;
const DIRECT_KILL_EXIT_TIMEOUT_MS = 2_000;
/** Containers restored at once when the daemon starts. */
const RESTORE_CONCURRENCY = 16;

/** The container engine's core: create, start, wait, attach, stop, kill, remove, list, inspect. */
export class ContainerService {
  private readonly waiters = new ExitWaiters();
  private readonly lock = new KeyedLock();
  private readonly removing = new Set<string>();
  private readonly pendingAttaches = new Map<string, AttachTarget[]>();
  private readonly monitors = new Map<string, AbortController>();
  private readonly logRotators = new LogRotators();
  private readonly restarts = new RestartSupervisor();
  private readonly health: HealthMonitor;

  constructor(private readonly o: ContainerServiceOptions) {
    this.health = new HealthMonitor({
      runtime: o.runtime,
      bundleOf: (c) => this.taskSpec(c),
      events: o.events,
      log: o.log,
    });
  }

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
      logSizeMax: recordedLogSettings(c.hostConfig.LogConfig).maxSize,
      noLog: recordedLogSettings(c.hostConfig.LogConfig).driver === 'none',
    };
  }

  /**
   * Re-adopts containers after a daemon (re)start (live restore): removals a crash interrupted are
   * finished, running containers are watched again, exits nobody saw are recorded, then restart
   * policies are applied as moby's restore does (a fresh restart manager, RestartCount reset) and
   * AutoRemove containers that are not running are removed.
   */
  async restore(): Promise<void> {
    // Concurrently, as moby does: each container's checks are independent and mostly wait on the filesystem.
    await mapConcurrently(this.o.store.all(), RESTORE_CONCURRENCY, (c) =>
      this.restoreOne(c).catch((err: unknown) => this.o.log.error(`restoring container ${c.id}: ${String(err)}`)),
    );
  }

  private async restoreOne(c: ContainerRecord): Promise<void> {
    // moby leaves such a container Dead for the user to remove again; the record says what the user
    // asked for (volumes too or not), so the removal can be finished as the user meant it.
    if (c.removal !== undefined) {
      const { removeVolumes } = c.removal;
      await this.lock.run(c.id, () => this.removeLocked(c, removeVolumes));
      return;
    }
    if (c.state.running) {
      const finding = await findTask(c, this.o.runtime, this.taskSpec(c));
      if (finding.kind === 'alive') {
        this.monitor(c);
        if (!c.state.paused) this.health.start(c);
        return;
      }
      if (finding.kind === 'restart-pending') {
        c.state = { ...c.state, running: false, restarting: false };
        await this.o.store.save(c);
      } else {
        if (finding.kind === 'never-started') await this.o.runtime.delete(c.id, true).catch(() => undefined);
        const exit = finding.kind === 'exited' ? finding.exit : { exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date(), oomKilled: false };
        await this.handleExit(c, exit, { applyPolicy: false });
        if (!this.o.store.find(c.id)) return;
      }
    } else if (await this.o.runtime.isMonitorAlive(this.taskSpec(c))) {
      // A daemon that died between `runtime create` and recording the start left a created task behind.
      await this.o.runtime.delete(c.id, true).catch(() => undefined);
      await this.o.rootfs.unmountContainerRoot(this.o.store.dirOf(c.id)).catch(() => undefined);
    }
    if (this.restarts.startsWithDaemon(c)) {
      c.restartCount = 0;
      await this.lock.run(c.id, () => this.startLocked(c));
    } else if (c.hostConfig.AutoRemove) {
      await this.lock.run(c.id, () => this.removeLocked(c, true));
    }
  }

  /** Stops watching containers (they keep running: live restore is the default). */
  shutdown(): void {
    for (const controller of this.monitors.values()) controller.abort();
    this.monitors.clear();
    this.restarts.cancelAll();
    this.health.stopAll();
    this.logRotators.stopAll();
  }

  /** `platform` (`docker create --platform`) must be one the image serves, as moby's image lookup requires. */
  async create(request: ContainerCreateRequest, options: { name?: string; platform?: Platform } = {}): Promise<ContainerCreateResponse> {
    if (!request.Image) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    const image = this.o.images.resolve(request.Image);
    if (options.platform && !platformMatches(options.platform, image.config)) {
      const wanted = formatPlatform(options.platform);
      throw new NotFoundError(`image with reference ${request.Image} was found but its platform (${formatPlatform(image.config)}) does not match the specified platform (${wanted})`);
    }
    const merged = mergeCreateConfig(request, request.Image, image.config.config);
    refuseUnsupportedSettings(merged.hostConfig);
    checkRuntimeName(merged.hostConfig, this.o.runtime.name);
    logSettings(merged.hostConfig.LogConfig);
    const id = generateContainerId();
    const record: ContainerRecord = {
      id,
      name: options.name ? normalizeContainerName(options.name) : generateContainerName((n) => this.o.store.isNameTaken(n)),
      created: new Date().toISOString(),
      imageRef: request.Image,
      imageId: image.id,
      imageChainId: image.chainId,
      path: merged.path,
      args: merged.args,
      config: { ...merged.config, Hostname: merged.config.Hostname || defaultHostname(id, merged.hostConfig) },
      hostConfig: withHostConfigDefaults(merged.hostConfig),
      state: initialRunState(),
      restartCount: 0,
      manuallyStopped: false,
    };
    validateHostConfig(record, this.o.initPath);
    record.mounts = await this.o.mounts.plan({
      containerId: id,
      hostConfig: record.hostConfig,
      volumes: record.config.Volumes ?? {},
      lookup: (ref) => this.o.store.get(ref),
    });
    await this.o.store.add(record).catch(async (err: unknown) => {
      await this.o.mounts.release(record, true);
      throw err;
    });
    this.o.events.container('create', record);
    return { Id: id, Warnings: [] };
  }

  start(ref: string): Promise<void> {
    const c = this.o.store.get(ref);
    return this.lock.run(c.id, async () => {
      if (c.state.running) throw new NotModifiedError('container already started');
      if (this.removing.has(c.id)) throw new ConflictError(`cannot start container ${c.id.slice(0, 12)}: removal in progress`);
      if (c.state.dead) throw new ConflictError('container is marked for removal and cannot be started');
      // A user's start begins a new life for the restart policy (moby's ResetRestartManager(true)).
      c.restartCount = 0;
      this.restarts.forget(c.id);
      await this.startLocked(c);
    });
  }

  private async startLocked(c: ContainerRecord): Promise<void> {
    const before = c.state;
    const dir = this.o.store.dirOf(c.id);
    const spec = this.taskSpec(c);
    const rootfs = await this.o.rootfs.mountContainerRoot(dir, c.imageChainId);
    try {
      const etc = await writeEtcFiles(dir, c.config.Hostname ?? c.id.slice(0, 12), c.hostConfig);
      const mounts = await this.o.mounts.runtimeMounts(c, rootfs);
      const runtimeSpec = await buildContainerSpec(c, { rootfs, etc, initPath: this.o.initPath, mounts });
      await mkdir(spec.bundleDir, { recursive: true, mode: 0o700 });
      await mkdir(spec.persistDir, { recursive: true, mode: 0o700 });
      await mkdir(spec.exitDir, { recursive: true, mode: 0o700 });
      await rm(join(spec.exitDir, c.id), { force: true });
      await writeFileAtomic(join(spec.bundleDir, 'config.json'), serializeRuntimeSpec(runtimeSpec));
      await this.o.runtime.delete(c.id, true);
      const { pid } = await this.o.runtime.create(spec);
      await this.connectPendingAttaches(c);
      // Recorded before the task runs, so a daemon that dies in between finds it (live-restore.ts).
      c.state = markRunning(c.state, pid, new Date());
      c.manuallyStopped = false;
      await this.o.store.save(c);
      await this.o.runtime.start(c.id);
    } catch (err) {
      await this.o.runtime.delete(c.id, true).catch(() => undefined);
      await this.o.rootfs.unmountContainerRoot(dir).catch(() => undefined);
      await this.o.mounts.deactivate(c).catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      c.state = { ...before, error: message, exitCode: err instanceof RuntimeConfigError ? err.exitCode : 128 };
      await this.o.store.save(c);
      // moby removes an AutoRemove container whose start failed; `docker run --rm` waits for that.
      if (c.hostConfig.AutoRemove) await this.removeLocked(c, true);
      throw err;
    }
    this.o.events.container('start', c);
    this.monitor(c);
    this.health.start(c);
  }

  private monitor(c: ContainerRecord): void {
    const controller = new AbortController();
    this.monitors.set(c.id, controller);
    this.logRotators.start(c.id, this.taskSpec(c).logPath, recordedLogSettings(c.hostConfig.LogConfig));
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

  /** Records an exit; `applyPolicy: false` when restore applies the daemon-start rules instead. */
  private async handleExit(c: ContainerRecord, exit: ExitStatus, options: { applyPolicy?: boolean } = {}): Promise<void> {
    this.health.stop(c.id);
    await this.logRotators.stop(c.id);
    const dir = this.o.store.dirOf(c.id);
    await this.o.runtime.delete(c.id, true).catch((err: unknown) => this.o.log.warn(`runtime delete ${c.id}: ${String(err)}`));
    await this.o.rootfs.unmountContainerRoot(dir).catch((err: unknown) => this.o.log.warn(`unmount ${c.id}: ${String(err)}`));
    await this.o.mounts.deactivate(c).catch((err: unknown) => this.o.log.warn(`unmount volumes of ${c.id}: ${String(err)}`));
    const decision = options.applyPolicy !== false && !this.removing.has(c.id) ? this.restarts.decide(c, exit) : { restart: false as const };
    if (decision.restart) {
      c.state = markRestarting(c.state, exit);
      c.restartCount = decision.restartCount;
    } else {
      c.state = markStopped(c.state, exit);
    }
    await this.o.store.save(c);
    if (exit.oomKilled) this.o.events.container('oom', c);
    this.o.events.container('die', c, { exitCode: String(exit.exitCode) });
    this.waiters.exited(c.id, { StatusCode: exit.exitCode, Error: null });
    if (decision.restart) this.restarts.schedule(c.id, decision.delayMs, () => void this.restartAfterBackoff(c));
    else if (c.hostConfig.AutoRemove && !this.removing.has(c.id)) await this.removeLocked(c, true);
  }

  /** The end of a restart backoff: start again, unless a stop, kill or removal came first. */
  private restartAfterBackoff(c: ContainerRecord): Promise<void> {
    return this.lock
      .run(c.id, async () => {
        if (!c.state.restarting) return;
        if (this.restarts.isExitingOnNext(c.id) || this.removing.has(c.id) || !this.o.store.find(c.id)) {
          await this.endRestarting(c);
          return;
        }
        try {
          await this.startLocked(c);
        } catch (err) {
          // A stop or removal that raced the restart makes it fail; that is no fault.
          if (!this.restarts.isExitingOnNext(c.id) && !this.removing.has(c.id)) this.o.log.error(`restarting container ${c.id}: ${String(err)}`);
          await this.endRestarting(c);
        }
      })
      .catch((err: unknown) => this.o.log.error(`restarting container ${c.id}: ${String(err)}`));
  }

  /** moby's ExitOnNext: the next exit is final, and a pending restart is cancelled; true if there was one. */
  private async cancelPendingRestart(c: ContainerRecord): Promise<boolean> {
    if (!this.restarts.exitOnNext(c.id)) return false;
    await this.endRestarting(c);
    return true;
  }

  private async endRestarting(c: ContainerRecord): Promise<void> {
    c.state = { ...c.state, running: false, restarting: false, pid: 0 };
    await this.o.store.save(c);
    this.waiters.exited(c.id, { StatusCode: c.state.exitCode, Error: null });
  }

  /**
   * Blocks until the condition holds. Registration is synchronous, so a caller that sends response
   * headers after calling this cannot miss an exit that happens later. Aborting `signal` (the client
   * left) drops the wait and rejects with the signal's reason.
   */
  wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<ContainerWaitResponse> {
    const c = this.o.store.get(ref);
    if (condition === 'not-running' && !c.state.running) return Promise.resolve({ StatusCode: c.state.exitCode, Error: null });
    return this.waiters.add(c.id, condition, signal);
  }

  async stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const c = this.o.store.get(ref);
    if (!c.state.running) throw new NotModifiedError('container already stopped');
    if (signal) parseSignal(signal);
    c.manuallyStopped = true;
    await this.o.store.save(c);
    if (await this.cancelPendingRestart(c)) {
      this.o.events.container('stop', c);
      return;
    }
    const timeout = timeoutSeconds ?? c.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const exited = this.waiters.add(c.id, 'next-exit');
    const stopSignal = signal || c.config.StopSignal || 'SIGTERM';
    const sent = await this.o.runtime.kill(c.id, stopSignal).then(
      () => true,
      () => false,
    );
    // moby's stop goes through kill, so `docker events` shows kill, die, stop.
    if (sent) this.o.events.container('kill', c, { signal: signalAttribute(stopSignal) });
    await thawAfterSignal(this.o.runtime, c);
    // moby waits only 2 s when the stop signal could not be delivered.
    const grace = sent ? timeout : Math.min(timeout, 2);
    const inTime = grace < 0 ? await exited.then(() => true) : await Promise.race([exited.then(() => true), delay(grace * 1000).then(() => false)]);
    if (!inTime) {
      await this.o.runtime.kill(c.id, 'SIGKILL').then(
        () => this.o.events.container('kill', c, { signal: signalAttribute('SIGKILL') }),
        () => undefined,
      );
      await exited;
    }
    this.o.events.container('stop', c);
  }

  /**
   * `docker kill`. As moby's does, SIGKILL (the default) answers once the container has exited, so a
   * `docker rm` right after finds it stopped; any other signal answers once it is sent.
   */
  async kill(ref: string, signal?: string): Promise<void> {
    // moby checks the signal before it looks the container up.
    const number = signal ? parseSignal(signal) : SIGKILL;
    const c = this.o.store.get(ref);
    if (!c.state.running) throw new ConflictError(`Container ${c.id} is not running`);
    // Another signal than SIGKILL and the stop signal leaves the restart policy in force, as in moby.
    const stopSignal = c.config.StopSignal ? parseSignal(c.config.StopSignal) : undefined;
    c.manuallyStopped = true;
    await this.o.store.save(c);
    if (number === SIGKILL || stopSignal === undefined || stopSignal === number) {
      if (await this.cancelPendingRestart(c)) {
        this.o.events.container('kill', c, { signal: String(number) });
        return;
      }
    } else if (c.state.restarting) {
      return;
    }
    if (number === SIGKILL) return this.killAndWait(c);
    await this.o.runtime.kill(c.id, number);
    await thawAfterSignal(this.o.runtime, c);
    this.o.events.container('kill', c, { signal: String(number) });
  }

  /** moby's Kill: SIGKILL, then the exit awaited; a process that outlives that is killed directly. */
  private async killAndWait(c: ContainerRecord): Promise<void> {
    const giveUp = new AbortController();
    const exited = this.waiters.add(c.id, 'next-exit', giveUp.signal).then(() => true);
    exited.catch(() => undefined);
    try {
      // A task that is already gone still reports its exit; a failure to signal is seen as no exit below.
      const sent = await this.o.runtime.kill(c.id, SIGKILL).then(
        () => true,
        () => false,
      );
      await thawAfterSignal(this.o.runtime, c);
      if (sent) this.o.events.container('kill', c, { signal: String(SIGKILL) });
      const timeout = (ms: number): Promise<boolean> => sleep(ms, false, { signal: giveUp.signal }).catch(() => false);
      if (await Promise.race([exited, timeout(KILL_EXIT_TIMEOUT_MS)])) return;
      this.o.log.warn(`container ${c.id} did not exit within ${KILL_EXIT_TIMEOUT_MS / 1000} s of SIGKILL: killing its process directly`);
      if (!killProcess(c.state.pid)) return;
      if (await Promise.race([exited, timeout(DIRECT_KILL_EXIT_TIMEOUT_MS)])) return;
      throw new Error('tried to kill container, but did not receive an exit event');
    } finally {
      giveUp.abort(new Error('kill gave up waiting'));
    }
  }

  async restart(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const c = this.o.store.get(ref);
    if (c.state.running) await this.stop(c.id, timeoutSeconds, signal);
    await this.start(c.id);
    this.o.events.container('restart', c);
  }

  pause(ref: string): Promise<void> {
    const c = this.o.store.get(ref);
    return this.lock.run(c.id, async () => {
      await pauseContainer(this.o.runtime, c);
      this.health.stop(c.id);
      await this.o.store.save(c);
      this.o.events.container('pause', c);
    });
  }

  unpause(ref: string): Promise<void> {
    const c = this.o.store.get(ref);
    return this.lock.run(c.id, async () => {
      await unpauseContainer(this.o.runtime, c);
      this.health.start(c, { reset: false });
      await this.o.store.save(c);
      this.o.events.container('unpause', c);
    });
  }

  async rename(ref: string, newName: string): Promise<void> {
    const c = this.o.store.get(ref);
    const oldName = await renameContainer(this.o.store, c, newName);
    this.o.events.container('rename', c, { oldName });
  }

  update(ref: string, update: ContainerUpdateRequest): Promise<{ Warnings: string[] }> {
    const c = this.o.store.get(ref);
    return this.lock.run(c.id, async () => ({ Warnings: await updateContainer(c, update, (r) => this.o.store.save(r)) }));
  }

  /** Removes stopped containers matching the filters (until, label, label!). */
  async prune(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const matches = this.o.store.all().filter(pruneFilter(filters, new Date()));
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of matches) {
      const size = await directorySize(join(this.o.store.dirOf(c.id), 'upper'));
      try {
        await this.remove(c.id);
      } catch (err) {
        this.o.log.warn(`prune ${c.id}: ${String(err)}`);
        continue;
      }
      deleted.push(c.id);
      reclaimed += size;
    }
    return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** `docker top`: the container's processes as the host's `ps` shows them. */
  async top(ref: string, psArgs?: string): Promise<TopResult> {
    const c = this.o.store.get(ref);
    if (!c.state.running) throw new ConflictError(`Container ${c.id} is not running`);
    return containerTop(await Cgroup.ofContainer(c.id).pids(), psArgs || undefined);
  }

  /** One stats sample; zeroes for a container that is not running. */
  async stats(ref: string, previous?: ContainerStats): Promise<ContainerStats> {
    const c = this.o.store.get(ref);
    if (!c.state.running) return emptyStats(c.name, c.id);
    return sampleStats(Cgroup.ofContainer(c.id), c.name, c.id, previous);
  }

  /** Adds SizeRw (the read-write layer) and SizeRootFs (with the image) to list rows or an inspect, for `?size=1`. */
  async withSizes<T extends { Id: string }>(rows: T[], imageSize: (imageId: string) => number): Promise<Array<T & { SizeRw: number; SizeRootFs: number }>> {
    return Promise.all(
      rows.map(async (row) => {
        // Looked up before the walk: a container removed meanwhile must not fail the whole list.
        const imageId = this.o.store.find(row.Id)?.imageId ?? '';
        const sizeRw = await directorySize(join(this.o.store.dirOf(row.Id), 'upper'));
        return { ...row, SizeRw: sizeRw, SizeRootFs: sizeRw + imageSize(imageId) };
      }),
    );
  }

  async remove(ref: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const c = this.o.store.get(ref);
    if (this.removing.has(c.id)) throw new ConflictError(`removal of container ${c.id.slice(0, 12)} is already in progress`);
    if (c.state.running && !options.force) {
      const what = c.state.restarting ? 'restarting' : 'running';
      throw new ConflictError(`cannot remove container "${c.name}": container is ${what}: stop the container before removing or force remove`);
    }
    await this.cancelPendingRestart(c);
    if (c.state.running) {
      this.removing.add(c.id);
      // moby's forced removal goes through kill, so `docker events` shows kill, die, destroy.
      try {
        await this.killAndWait(c);
      } catch (err) {
        this.removing.delete(c.id);
        throw new Error(`cannot remove container "${c.name}": could not kill: ${(err as Error).message}`, { cause: err });
      }
    }
    this.removing.add(c.id);
    await this.lock.run(c.id, () => this.removeLocked(c, options.volumes ?? false));
  }

  /**
   * `removeVolumes` (`rm -v`, and AutoRemove as in moby) also removes the container's anonymous volumes.
   * The removal is persisted first; after that a crash at any point leaves either the whole container,
   * marked so the next start finishes removing it, or nothing (the dir leaves in one rename).
   */
  private async removeLocked(c: ContainerRecord, removeVolumes = false): Promise<void> {
    this.removing.add(c.id);
    try {
      const marked = await this.markForRemoval(c, removeVolumes);
      const spec = this.taskSpec(c);
      await this.o.runtime.delete(c.id, true);
      await this.o.rootfs.unmountContainerRoot(this.o.store.dirOf(c.id));
      await rm(spec.persistDir, { recursive: true, force: true });
      await rm(join(spec.exitDir, c.id), { force: true });
      // Volumes go while the marked record can still bring them back to mind after a crash; without
      // the mark a container must stay whole until its dir is gone, so they go after it.
      if (marked) await this.o.mounts.release(c, removeVolumes);
      await this.o.store.delete(c.id);
      if (!marked) await this.o.mounts.release(c, removeVolumes);
    } finally {
      this.removing.delete(c.id);
    }
    this.restarts.forget(c.id);
    this.pendingAttaches.get(c.id)?.forEach((t) => t.end());
    this.pendingAttaches.delete(c.id);
    this.o.events.container('destroy', c);
    this.o.onRemoved?.(c.id);
    this.waiters.removed(c.id, { StatusCode: c.state.exitCode, Error: null });
  }

  /**
   * moby's Dead: persisted before a removal deletes anything. When it cannot be written (a full disk is
   * when users remove containers) the removal goes on without it, as moby's does; returns whether it was.
   */
  private async markForRemoval(c: ContainerRecord, removeVolumes: boolean): Promise<boolean> {
    if (c.removal !== undefined && (c.removal.removeVolumes || !removeVolumes)) return true;
    const before = { state: c.state, removal: c.removal };
    c.state = { ...c.state, dead: true };
    c.removal = { removeVolumes };
    try {
      await this.o.store.save(c);
      return true;
    } catch (err) {
      c.state = before.state;
      c.removal = before.removal;
      this.o.log.warn(`removing container ${c.id} without recording it first: ${String(err)}`);
      return false;
    }
  }

  /** Attaches a client now if the container runs, else when it next starts (docker run attaches first). */
  async attach(ref: string, target: AttachTarget): Promise<void> {
    const c = this.o.store.get(ref);
    this.o.events.container('attach', c);
    if (c.state.running) {
      await this.connectAttach(c, target);
      return;
    }
    const list = this.pendingAttaches.get(c.id) ?? [];
    list.push(target);
    this.pendingAttaches.set(c.id, list);
    target.closed
      .then(() => {
        const remaining = (this.pendingAttaches.get(c.id) ?? []).filter((t) => t !== target);
        if (remaining.length) this.pendingAttaches.set(c.id, remaining);
        else this.pendingAttaches.delete(c.id);
      })
      .catch((err: unknown) => this.o.log.error(`dropping attach to ${c.id}: ${String(err)}`));
  }

  private async connectPendingAttaches(c: ContainerRecord): Promise<void> {
    const targets = this.pendingAttaches.get(c.id) ?? [];
    this.pendingAttaches.delete(c.id);
    await Promise.all(targets.map((t) => this.connectAttach(c, t)));
  }

  private async connectAttach(c: ContainerRecord, target: AttachTarget): Promise<void> {
    const session = await this.o.runtime.attach(this.taskSpec(c), { stdin: target.stdin, stdout: target.stdout, stderr: target.stderr });
    session.ended
      .catch(() => undefined)
      .then(() => target.end())
      .catch((err: unknown) => this.o.log.error(`ending attach to ${c.id}: ${String(err)}`));
    target.closed
      .catch(() => undefined)
      .then(() => session.detach())
      .catch((err: unknown) => this.o.log.error(`detaching from ${c.id}: ${String(err)}`));
  }

  /** Resizes a TTY container's terminal (ConflictError when it has no conmon). */
  async resize(ref: string, height: number, width: number): Promise<void> {
    const c = this.o.store.get(ref);
    // Not gated on state.running: clients resize while start is still in progress, and conmon already listens.
    if (c.config.Tty) await this.o.runtime.resize(this.taskSpec(c), height, width);
  }

  list(options: ListOptions = {}): ContainerSummary[] {
    const now = new Date();
    const { predicate, impliesAll } = containerListFilter(options.filters ?? {}, {
      find: (ref) => this.o.store.get(ref),
      imageIds: (ref) => this.imageIds(ref),
      isRemoving: (id) => this.removing.has(id),
    });
    let records = this.o.store.all().filter(predicate).sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
    if (!options.all && !impliesAll && !(options.limit && options.limit > 0)) records = records.filter((c) => c.state.running);
    if (options.limit && options.limit > 0) records = records.slice(0, options.limit);
    return records.map((c) => summaryView(c, now, this.removing.has(c.id)));
  }

  private imageIds(ref: string): string[] {
    try {
      return [this.o.images.resolve(ref).id];
    } catch {
      return [];
    }
  }

  inspect(ref: string): ContainerInspect {
    const c = this.o.store.get(ref);
    return inspectView(c, {
      paths: { dir: this.o.store.dirOf(c.id), logPath: this.taskSpec(c).logPath },
      runtime: this.o.runtime.name,
      lowerDirs: c.imageChainId === null ? [] : this.o.rootfs.diffDirs(c.imageChainId),
      removing: this.removing.has(c.id),
    });
  }

  /** Where a container's output is kept, and how (inspect's LogPath names only a json-file log, as Docker's does). */
  logOf(ref: string): { path: string; settings: LogSettings } {
    const c = this.o.store.get(ref);
    return { path: this.taskSpec(c).logPath, settings: recordedLogSettings(c.hostConfig.LogConfig) };
  }

  /** What events about a container name (exec and commit happen outside this service); it stays readable after a removal. */
  eventSubject(ref: string): EventContainer {
    return this.o.store.get(ref);
  }

  /** Containers created from an image, for the image store's delete rules. */
  usersOfImage(imageId: string): Array<{ id: string; running: boolean }> {
    return this.o.store
      .all()
      .filter((c) => c.imageId === imageId)
      .map((c) => ({ id: c.id, running: c.state.running }));
  }

  /** The image top layer under each container's read-write layer: the image store must keep them. */
  imageLayersInUse(): Array<string | null> {
    return this.o.store.all().map((c) => c.imageChainId);
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.o.store.all();
    const running = all.filter((c) => c.state.running && !c.state.paused).length;
    const paused = all.filter((c) => c.state.paused).length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }


}

/** SIGKILL to a pid, false when it is gone (moby's killProcessDirectly). */
function killProcess(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
