import type { ContainerRootfs } from '../ports.js';
import { mapConcurrently } from '../util/map-concurrently.js';
import type { ContainerCore } from './container-core.js';
import { findTask, UNKNOWN_EXIT_CODE } from './live-restore.js';
import { pruneFilter } from './prune.js';
import type { ContainerRecord } from './record.js';
import type { ContainerRemoval } from './removal.js';
import { markRestartCancelled } from './state.js';
import type { TaskSupervisor } from './task-supervisor.js';

/** Containers restored at once when the daemon starts. */
const RESTORE_CONCURRENCY = 16;

/** Upkeep of the container set: prune, and taking containers back after a daemon (re)start. */
export interface ContainerMaintenance {
  /** Removes stopped containers matching the filters (until, label, label!), and reports the prune. */
  prune(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
  /**
   * Re-adopts containers after a daemon (re)start (live restore): removals a crash interrupted are
   * finished, running containers are watched again, exits nobody saw are recorded, then restart
   * policies are applied as moby's restore does (a fresh restart manager, RestartCount reset) and
   * AutoRemove containers that are not running are removed.
   */
  restore(): Promise<void>;
}

export interface MaintenanceServiceOptions {
  rootfs: ContainerRootfs;
  tasks: TaskSupervisor;
  removal: ContainerRemoval;
}

export class MaintenanceService implements ContainerMaintenance {
  constructor(
    private readonly core: ContainerCore,
    private readonly o: MaintenanceServiceOptions,
  ) {}

  async prune(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const { core } = this;
    const matches = core.store.all().filter(pruneFilter(filters, new Date()));
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of matches) {
      const size = await this.o.rootfs.readWriteSize(core.store.dirOf(c.id));
      try {
        await this.o.removal.remove(c.id);
      } catch (err) {
        core.log.warn(`prune ${c.id}: ${String(err)}`);
        continue;
      }
      deleted.push(c.id);
      reclaimed += size;
    }
    core.events.pruned('container', reclaimed);
    return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  async restore(): Promise<void> {
    // Concurrently, as moby does: each container's checks are independent and mostly wait on the filesystem.
    await mapConcurrently(this.core.store.all(), RESTORE_CONCURRENCY, (c) =>
      this.restoreOne(c).catch((err: unknown) => this.core.log.error(`restoring container ${c.id}: ${String(err)}`)),
    );
  }

  private async restoreOne(c: ContainerRecord): Promise<void> {
    const { core } = this;
    const { tasks, removal } = this.o;
    // moby leaves such a container Dead for the user to remove again; the record says what the user
    // asked for (volumes too or not), so the removal can be finished as the user meant it.
    if (c.removal !== undefined) {
      const { removeVolumes } = c.removal;
      await core.lock.run(c.id, () => removal.removeLocked(c, removeVolumes));
      return;
    }
    if (c.state.running) {
      const finding = await findTask(c, core.runtime, core.taskSpec(c));
      if (finding.kind === 'alive') {
        tasks.watch(c);
        if (!c.state.paused) tasks.health.start(c);
        return;
      }
      if (finding.kind === 'restart-pending') {
        c.state = markRestartCancelled(c.state);
        await core.store.save(c);
      } else {
        if (finding.kind === 'never-started') await core.runtime.delete(c.id, true).catch(() => undefined);
        const exit = finding.kind === 'exited' ? finding.exit : { exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date(), oomKilled: false };
        await tasks.recordExit(c, exit, { applyPolicy: false });
        if (!core.store.find(c.id)) return;
      }
    } else {
      // A daemon that died in a start left what it had set up behind a container recorded as not running:
      // its root mounted and, past `runtime create`, a created task, whose conmon may have died too (the
      // pipe it reports the pid on broke), leaving runc's state alone.
      if ((await core.runtime.isMonitorAlive(core.taskSpec(c))) || (await core.runtime.hasState(c.id))) await core.runtime.delete(c.id, true).catch(() => undefined);
      await this.o.rootfs.unmountContainerRoot(core.store.dirOf(c.id)).catch(() => undefined);
    }
    if (core.restarts.startsWithDaemon(c)) {
      c.restartCount = 0;
      await core.lock.run(c.id, () => tasks.start(c));
    } else if (c.hostConfig.AutoRemove) {
      await core.lock.run(c.id, () => removal.removeLocked(c, true));
    }
  }
}
