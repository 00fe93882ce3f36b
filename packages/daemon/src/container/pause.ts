import type { RuntimeDriver } from '../runtime/index.js';
import type { ContainerRecord } from './record.js';
import { markUnpaused } from './state.js';

/**
 * A frozen process only acts on a signal once thawed, so after signalling a paused container (stop,
 * kill) it is resumed, as dockerd does; a resume that fails leaves it to the exit that follows.
 */
export async function thawAfterSignal(runtime: RuntimeDriver, c: ContainerRecord): Promise<void> {
  if (!c.state.paused) return;
  await runtime.resume(c.id).catch(() => undefined);
  c.state = markUnpaused(c.state);
}
