import { rootPairOf } from '@berth/layer';
import { RuntimeConfigError, type ExitStatus } from '../runtime/index.js';
import type { ContainerHost, ContainerLogs, ContainerMounts, ContainerRootfs, NetworkService } from '../ports.js';
import type { AttachHub } from './attach-hub.js';
import type { ContainerCore } from './container-core.js';
import { HealthMonitor } from './health-monitor.js';
import { recordedLogSettings } from './log-config.js';
import { rootIsVolatile, type ContainerRecord } from './record.js';
import type { ContainerRemoval } from './removal.js';
import { buildContainerSpec } from './runtime-spec.js';
import { namespaceModes } from './namespace-modes.js';
import { markRestarting, markRunning, markStartFailed, markStopped } from './state.js';
import { traceStep, tracing } from '../util/step-trace.js';

export interface TaskSupervisorOptions {
  rootfs: ContainerRootfs;
  mounts: ContainerMounts;
  host: ContainerHost;
  network: NetworkService;
  logs: ContainerLogs;
  attaches: AttachHub;
  removal: ContainerRemoval;
  /** tini on the host, bind-mounted for `--init`. */
  initPath?: string;
}

/**
 * A container's task from start to exit: builds and starts it, watches for its exit, records it and
 * applies the restart policy (moby's monitor), with the health checks and log rotation of a running task.
 */
export class TaskSupervisor {
  private readonly monitors = new Map<string, AbortController>();
  readonly health: HealthMonitor;

  constructor(
    private readonly core: ContainerCore,
    private readonly o: TaskSupervisorOptions,
  ) {
    this.health = new HealthMonitor({
      runtime: core.runtime,
      killProcess: (pid) => o.host.killProcess(pid),
      bundleOf: (c) => core.taskSpec(c),
      events: core.events,
      log: core.log,
    });
  }

  /** Called under the container's lock, its start already allowed. */
  async start(c: ContainerRecord): Promise<void> {
    const { core } = this;
    const before = c.state;
    const dir = core.store.dirOf(c.id);
    const spec = core.taskSpec(c);
    const userNamespace = core.userNamespaceOf(c);
    traceStep(c.id, 'start: begin');
    let rootfs = '';
    let networkReady: Promise<void> | undefined;
    let bundleReady: Promise<void> | undefined;
    // conmon starts while the bundle is made: it runs the runtime once the bundle is ready.
    const prepareBundle = async () => {
      const network = await this.o.network.connect(c);
      // The driver sets the namespace up while the task is created; the task starts only once it is done.
      networkReady = network.ready;
      networkReady.catch(() => undefined);
      traceStep(c.id, 'start: network planned');
      const names = { hostname: c.config.Hostname || c.id.slice(0, 12), ...(c.config.Domainname ? { domainname: c.config.Domainname } : {}) };
      const etc = await this.o.host.writeEtcFiles(dir, names, c.hostConfig, network, userNamespace && rootPairOf(userNamespace));
      traceStep(c.id, 'start: etc files written');
      const mounts = await this.o.mounts.runtimeMounts(c, rootfs);
      const user = await this.o.host.resolveUser(rootfs, c.config.User ?? '', c.hostConfig.GroupAdd ?? []);
      traceStep(c.id, 'start: mounts and user resolved');
      // Last: config.json lets a conmon this daemon died before releasing run the runtime (see RuntimeDriver.create).
      await core.runtime.writeBundle(spec, buildContainerSpec(c, { rootfs, etc, initPath: this.o.initPath, mounts, network: network.namespace, linkEnv: network.linkEnv, securityModules: this.o.host.securityModules, userNamespace }, user));
      traceStep(c.id, 'start: bundle written');
    };
    try {
      // Before conmon's stale files are cleared: a stale task's conmon could write them again.
      await core.runtime.delete(c.id, true);
      traceStep(c.id, 'start: stale task deleted');
      // Inside the try: a root that cannot be mounted (a layer gone) fails the start like any other step.
      rootfs = await this.o.rootfs.mountContainerRoot(dir, c.imageChainId, userNamespace, { volatile: rootIsVolatile(c) });
      traceStep(c.id, 'start: overlay mounted');
      const { pid } = await core.runtime.create(spec, () => (bundleReady = prepareBundle()));
      traceStep(c.id, 'start: task created (conmon reported pid)');
      await networkReady;
      await this.o.attaches.connectPending(c);
      traceStep(c.id, 'start: attaches connected');
      // Recorded before the task runs, so a daemon that dies in between finds it (live-restore.ts).
      c.state = markRunning(c.state, pid, new Date());
      c.manuallyStopped = false;
      await core.store.save(c);
      traceStep(c.id, 'start: running state saved');
      await core.runtime.start(c.id);
      traceStep(c.id, 'start: runtime started');
    } catch (err) {
      // A conmon that failed on its own leaves the bundle still being made: that ends before the cleanup.
      await bundleReady?.catch(() => undefined);
      await networkReady?.catch(() => undefined);
      await core.runtime.delete(c.id, true).catch(() => undefined);
      await this.o.rootfs.unmountContainerRoot(dir).catch(() => undefined);
      await this.o.mounts.deactivate(c).catch(() => undefined);
      await this.o.network.disconnect(c).catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      c.state = markStartFailed(before, message, err instanceof RuntimeConfigError ? err.exitCode : 128);
      await core.store.save(c);
      // moby removes an AutoRemove container whose start failed; `docker run --rm` waits for that.
      if (c.hostConfig.AutoRemove) await this.o.removal.autoRemove(c);
      throw err;
    }
    core.events.container('start', c);
    this.watch(c);
    this.health.start(c);
  }

  /** Watches a running task until it exits (also one a previous daemon started: live restore). */
  watch(c: ContainerRecord): void {
    const { core } = this;
    const controller = new AbortController();
    this.monitors.set(c.id, controller);
    this.o.logs.keepRotations(c.id, core.taskSpec(c).logPath, recordedLogSettings(c.hostConfig.LogConfig));
    core.runtime
      .waitExit(core.taskSpec(c), controller.signal)
      .then(
        (exit) => {
          if (tracing) traceStep(c.id, `exit: noticed (exit file written at ${exit.finishedAt.getTime()})`);
          this.monitors.delete(c.id);
          return core.lock.run(c.id, () => this.recordExit(c, exit));
        },
        (err: unknown) => {
          if (!controller.signal.aborted) core.log.error(`watching container ${c.id}: ${String(err)}`);
        },
      )
      .catch((err: unknown) => core.log.error(`handling exit of ${c.id}: ${String(err)}`));
  }

  /**
   * Records an exit: under the container's lock when watched; restore calls it before anything else can
   * reach the container. `applyPolicy: false` when restore applies the daemon-start rules instead.
   */
  async recordExit(c: ContainerRecord, exit: ExitStatus, options: { applyPolicy?: boolean } = {}): Promise<void> {
    const { core } = this;
    this.health.stop(c.id);
    await this.o.logs.stopKeeping(c.id);
    const dir = core.store.dirOf(c.id);
    // The network's teardown needs nothing of the task's: it runs beside the rest.
    const disconnecting = this.o.network.disconnect(c).catch((err: unknown) => core.log.warn(`disconnect ${c.id} from its network: ${String(err)}`));
    traceStep(c.id, 'exit: recording');
    const deleteTask = () =>
      core.runtime.delete(c.id, true).then(
        () => traceStep(c.id, 'exit: task deleted'),
        (err: unknown) => core.log.warn(`runtime delete ${c.id}: ${String(err)}`),
      );
    const unmountRoot = () =>
      this.o.rootfs.unmountContainerRoot(dir).then(
        () => traceStep(c.id, 'exit: overlay unmounted'),
        (err: unknown) => core.log.warn(`unmount ${c.id}: ${String(err)}`),
      );
    // In a pid namespace of its own, the task's processes died with its init: nothing holds the root, and its
    // runtime state and root go side by side. Sharing the host's, processes may outlive init and hold the root
    // until the runtime delete kills them: the unmount comes after it, so that it is never a lazy one.
    if (namespaceModes(c.hostConfig).pid === 'private') await Promise.all([deleteTask(), unmountRoot()]);
    else {
      await deleteTask();
      await unmountRoot();
    }
    await this.o.mounts.deactivate(c).catch((err: unknown) => core.log.warn(`unmount volumes of ${c.id}: ${String(err)}`));
    await disconnecting;
    traceStep(c.id, 'exit: volumes and network released');
    const decision = options.applyPolicy !== false && !core.removing.has(c.id) ? core.restarts.decide(c, exit) : { restart: false as const };
    if (decision.restart) {
      c.state = markRestarting(c.state, exit);
      c.restartCount = decision.restartCount;
    } else {
      c.state = markStopped(c.state, exit);
    }
    // A removal under way persists the record itself (marked Dead) before it deletes anything; until then
    // the exit file on disk brings the exit back after a crash.
    if (!core.removing.has(c.id)) await core.store.save(c);
    traceStep(c.id, 'exit: stopped state saved');
    if (exit.oomKilled) core.events.container('oom', c);
    core.events.container('die', c, { exitCode: String(exit.exitCode) });
    core.waiters.exited(c.id, { StatusCode: exit.exitCode, Error: null });
    if (decision.restart) core.restarts.schedule(c.id, decision.delayMs, () => void this.restartAfterBackoff(c));
    else if (c.hostConfig.AutoRemove && !core.removing.has(c.id)) await this.o.removal.autoRemove(c);
  }

  /** The end of a restart backoff: start again, unless a stop, kill or removal came first. */
  private restartAfterBackoff(c: ContainerRecord): Promise<void> {
    const { core } = this;
    return core.lock
      .run(c.id, async () => {
        if (!c.state.restarting) return;
        if (core.restarts.isExitingOnNext(c.id) || core.removing.has(c.id) || !core.store.find(c.id)) {
          await core.endRestarting(c);
          return;
        }
        try {
          await this.start(c);
        } catch (err) {
          // A stop or removal that raced the restart makes it fail; that is no fault.
          if (!core.restarts.isExitingOnNext(c.id) && !core.removing.has(c.id)) core.log.error(`restarting container ${c.id}: ${String(err)}`);
          await core.endRestarting(c);
        }
      })
      .catch((err: unknown) => core.log.error(`restarting container ${c.id}: ${String(err)}`));
  }

  /** Stops watching containers (they keep running: live restore is the default). */
  shutdown(): void {
    for (const controller of this.monitors.values()) controller.abort();
    this.monitors.clear();
    this.core.restarts.cancelAll();
    this.health.stopAll();
    this.o.logs.stopAll();
  }
}
