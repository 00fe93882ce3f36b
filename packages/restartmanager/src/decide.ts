import { nextRestartDelay } from './backoff.js';
import type { RestartPolicy } from './policy.js';

export interface RestartInput {
  policy: RestartPolicy;
  exitCode: number;
  /** `docker stop`/`kill` was used since the last `docker start` (moby's HasBeenManuallyStopped): it keeps unless-stopped down. */
  manuallyStopped: boolean;
  /**
   * moby's ExitOnNext, which cancels the restart manager: a stop, or a kill with SIGKILL or the
   * container's stop signal, since the last `docker start`. No policy restarts after it.
   */
  cancelled: boolean;
  /** ms the container ran before exiting */
  runDurationMs: number;
  /** Restarts so far (the container's RestartCount). */
  restartCount: number;
  /** The delay returned by the previous decision, or 0 after a `docker start`. */
  previousDelayMs: number;
  daemonShuttingDown?: boolean;
}

export type RestartDecision = { restart: false } | { restart: true; delayMs: number; restartCount: number };

/** What the daemon should do when a container's process exits (moby's RestartManager.ShouldRestart). */
export function decideRestart(input: RestartInput): RestartDecision {
  const { policy } = input;
  if (policy.name === 'no') return { restart: false };
  // Shutdown stops every container as a cancelled restart manager does: 'always' does not restart either.
  if (input.cancelled || input.daemonShuttingDown) return { restart: false };
  if (!policyWantsRestart(policy, input)) return { restart: false };
  return {
    restart: true,
    delayMs: nextRestartDelay(input.previousDelayMs, input.runDurationMs),
    restartCount: input.restartCount + 1,
  };
}

export interface StoppedContainerState {
  manuallyStopped: boolean;
  hasBeenStartedBefore: boolean;
  exitCode: number;
  /** Counts against on-failure:N as it does at runtime; 0 when absent. */
  restartCount?: number;
}

/**
 * Whether a container that is not running when the daemon starts should be started (moby's restore:
 * Container.ShouldRestart on a fresh restart manager, and HasBeenStartedBefore). A fresh manager is not
 * cancelled, so 'always' comes back even after `docker stop`; that is what sets it apart from
 * 'unless-stopped'.
 */
export function shouldStartOnDaemonStart(p: RestartPolicy, state: StoppedContainerState): boolean {
  return (
    state.hasBeenStartedBefore &&
    policyWantsRestart(p, {
      exitCode: state.exitCode,
      manuallyStopped: state.manuallyStopped,
      restartCount: state.restartCount ?? 0,
    })
  );
}

function policyWantsRestart(
  policy: RestartPolicy,
  exit: { exitCode: number; manuallyStopped: boolean; restartCount: number },
): boolean {
  switch (policy.name) {
    case 'no':
      return false;
    case 'always':
      return true;
    case 'unless-stopped':
      return !exit.manuallyStopped;
    case 'on-failure': {
      const max = policy.maximumRetryCount;
      return exit.exitCode !== 0 && (max === 0 || exit.restartCount < max);
    }
  }
}
