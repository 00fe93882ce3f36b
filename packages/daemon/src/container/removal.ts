import { ConflictError } from '@berth/api';
import type { ContainerMounts, ContainerRootfs } from '../ports.js';
import type { AttachHub } from './attach-hub.js';
import type { ContainerCore } from './container-core.js';
import type { ContainerRecord } from './record.js';
import { markDead } from './state.js';
import { traceStep } from '../util/step-trace.js';
import type { ContainerTermination } from './termination.js';

export interface ContainerRemovalOptions {
  rootfs: ContainerRootfs;
  mounts: ContainerMounts;
  attaches: AttachHub;
  termination: ContainerTermination;
  /** Told each removed container's id, for what others keep per container (its execs). */
  onRemoved?: (id: string) => void;
}

/** `docker rm`, and the removals the engine does itself (AutoRemove, a removal a crash interrupted). */
export class ContainerRemoval {
  constructor(
    private readonly core: ContainerCore,
    private readonly o: ContainerRemovalOptions,
  ) {}

  async remove(ref: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    core.assert(options.force ? 'force-remove' : 'remove', c);
    await core.cancelPendingRestart(c);
    if (c.state.running) {
      core.removing.add(c.id);
      // moby's forced removal goes through kill, so `docker events` shows kill, die, destroy.
      try {
        await this.o.termination.killAndWait(c);
      } catch (err) {
        core.removing.delete(c.id);
        throw new Error(`cannot remove container "${c.name}": could not kill: ${(err as Error).message}`, { cause: err });
      }
    }
    core.removing.add(c.id);
    await core.lock.run(c.id, () => this.removeLocked(c, options.volumes ?? false));
  }

  /** See ContainerLifecycle.markForRemoval. */
  async markStoppedForRemoval(ref: string, removeVolumes: boolean): Promise<boolean> {
    const { core } = this;
    const c = core.store.get(ref);
    core.assert('force-remove', c);
    return core.lock.run(c.id, async () => {
      // A removal that held the lock meanwhile took the container, or is taking it.
      if (core.store.find(c.id) === undefined || core.removing.has(c.id)) return false;
      if (c.state.running) throw new ConflictError(`cannot mark container ${c.id} for removal: it is running`);
      return this.markForRemoval(c, removeVolumes);
    });
  }

  /**
   * AutoRemove's removal, under the container's lock. One that fails still ends the waits for the removal, with its
   * error (moby's SetRemovalError): `docker run --rm` would otherwise wait for ever.
   */
  async autoRemove(c: ContainerRecord): Promise<void> {
    try {
      await this.removeLocked(c, true);
    } catch (err) {
      this.core.waiters.removed(c.id, { StatusCode: c.state.exitCode, Error: { Message: err instanceof Error ? err.message : String(err) } });
      throw err;
    }
  }

  /**
   * Called under the container's lock. `removeVolumes` (`rm -v`, and AutoRemove as in moby) also
   * removes the container's anonymous volumes. The removal is persisted first; after that a crash at
   * any point leaves either the whole container, marked so the next start finishes removing it, or
   * nothing (the dir leaves in one rename).
   */
  async removeLocked(c: ContainerRecord, removeVolumes = false): Promise<void> {
    const { core } = this;
    core.removing.add(c.id);
    try {
      traceStep(c.id, 'remove: begin');
      const marked = await this.markForRemoval(c, removeVolumes);
      traceStep(c.id, 'remove: marked dead');
      await core.runtime.delete(c.id, true);
      traceStep(c.id, 'remove: task deleted');
      await this.o.rootfs.unmountContainerRoot(core.store.dirOf(c.id));
      traceStep(c.id, 'remove: overlay unmounted');
      await core.runtime.removeTaskFiles(core.taskSpec(c));
      traceStep(c.id, 'remove: task files removed');
      // Volumes go while the marked record can still bring them back to mind after a crash; without
      // the mark a container must stay whole until its dir is gone, so they go after it.
      if (marked) await this.o.mounts.release(c, removeVolumes);
      // The mark already makes the removal durable: a dir a power loss brings back is removed at the next start.
      await core.store.delete(c.id, { durable: !marked });
      traceStep(c.id, 'remove: record deleted');
      if (!marked) await this.o.mounts.release(c, removeVolumes);
    } finally {
      core.removing.delete(c.id);
    }
    core.restarts.forget(c.id);
    this.o.attaches.endPending(c.id);
    core.events.container('destroy', c);
    this.o.onRemoved?.(c.id);
    core.waiters.removed(c.id, { StatusCode: c.state.exitCode, Error: null });
  }

  /**
   * moby's Dead: persisted before a removal deletes anything. When it cannot be written (a full disk is
   * when users remove containers) the removal goes on without it, as moby's does; returns whether it was.
   */
  private async markForRemoval(c: ContainerRecord, removeVolumes: boolean): Promise<boolean> {
    if (c.removal !== undefined && (c.removal.removeVolumes || !removeVolumes)) return true;
    const before = { state: c.state, removal: c.removal };
    c.state = markDead(c.state);
    c.removal = { removeVolumes };
    try {
      await this.core.store.save(c);
      return true;
    } catch (err) {
      c.state = before.state;
      c.removal = before.removal;
      this.core.log.warn(`removing container ${c.id} without recording it first: ${String(err)}`);
      return false;
    }
  }
}
