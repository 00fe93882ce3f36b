import type { ExitStatus, RuntimeDriver, TaskSpec } from '../runtime/index.js';
import type { ContainerRecord } from './record.js';

/** What a new daemon finds for a container its record says is running. */
export type TaskFinding =
  /** The task still runs (or conmon is about to record its exit): watch it again. */
  | { kind: 'alive' }
  /** The task ended while no daemon watched it; conmon recorded how and when. */
  | { kind: 'exited'; exit: ExitStatus }
  /** The previous daemon died between persisting the start and running `runtime start`. */
  | { kind: 'never-started' }
  /** The previous daemon died during a restart backoff: no task, the restart is still owed. */
  | { kind: 'restart-pending' };

/** Exit code Docker records when a container's fate is unknown. */
export const UNKNOWN_EXIT_CODE = 255;

/**
 * Looks at conmon's files and the runtime's state for a container recorded as running (moby's restore:
 * RestoreTask, then the task status). conmon outlives the daemon, so its exit file holds the exit code and,
 * as its mtime, the time of an exit nobody was watching.
 */
export async function findTask(c: ContainerRecord, runtime: RuntimeDriver, spec: TaskSpec): Promise<TaskFinding> {
  if (c.state.restarting) return { kind: 'restart-pending' };
  const exit = await runtime.readExit(spec);
  if (exit) return { kind: 'exited', exit };
  const state = await runtime.state(c.id);
  if (state?.status === 'created') return { kind: 'never-started' };
  if (state && state.status !== 'stopped') return { kind: 'alive' };
  // A stopped task whose conmon still runs is about to get its exit file; the monitor waits for it.
  if (await runtime.isMonitorAlive(spec)) return { kind: 'alive' };
  return { kind: 'exited', exit: { exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date(), oomKilled: false } };
}
