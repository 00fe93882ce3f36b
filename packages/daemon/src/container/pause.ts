import { ConflictError } from '@berth/api';
import type { RuntimeDriver } from '../runtime/index.js';
import type { ContainerRecord } from './record.js';

/** Freezes every process of a running container (the runtime's cgroup freezer). */
export async function pauseContainer(runtime: RuntimeDriver, c: ContainerRecord): Promise<void> {
  if (!c.state.running) throw new ConflictError(`Container ${c.id} is not running`);
  if (c.state.paused) throw new ConflictError(`Container ${c.id} is already paused`);
  await runtime.pause(c.id);
  c.state = { ...c.state, paused: true };
}

export async function unpauseContainer(runtime: RuntimeDriver, c: ContainerRecord): Promise<void> {
  if (!c.state.paused) throw new ConflictError(`Container ${c.id} is not paused`);
  await runtime.resume(c.id);
  c.state = { ...c.state, paused: false };
}

/**
 * A frozen process only acts on a signal once thawed, so after signalling a paused container (stop,
 * kill) it is resumed, as dockerd does.
 */
export async function thawAfterSignal(runtime: RuntimeDriver, c: ContainerRecord): Promise<void> {
  if (!c.state.paused) return;
  await runtime.resume(c.id).catch(() => undefined);
  c.state = { ...c.state, paused: false };
}
