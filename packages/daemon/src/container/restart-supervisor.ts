import { decideRestart, parseRestartPolicy, RestartTimer, shouldStartOnDaemonStart, type RestartDecision } from '@berth/restartmanager';
import type { ContainerRecord } from './record.js';

/**
 * The restart side of moby's container monitor: one timer and the last backoff delay per container, kept
 * in memory (the delay starts over with a new daemon, as moby's restart manager does); the restart count
 * lives in the persisted record.
 */
export class RestartSupervisor {
  private readonly timers = new Map<string, RestartTimer>();
  private readonly lastDelay = new Map<string, number>();
  /** Containers whose next exit is final (moby's ExitOnNext), until a `docker start`. */
  private readonly exitingOnNext = new Set<string>();

  /** What to do about an exit the daemon observed while running. */
  decide(c: ContainerRecord, exit: { exitCode: number; finishedAt: Date }): RestartDecision {
    const startedAt = c.state.startedAt ? Date.parse(c.state.startedAt) : exit.finishedAt.getTime();
    return decideRestart({
      policy: parseRestartPolicy(c.hostConfig.RestartPolicy),
      exitCode: exit.exitCode,
      manuallyStopped: c.manuallyStopped,
      cancelled: this.exitingOnNext.has(c.id),
      runDurationMs: Math.max(0, exit.finishedAt.getTime() - startedAt),
      restartCount: c.restartCount,
      previousDelayMs: this.lastDelay.get(c.id) ?? 0,
    });
  }

  /** Whether a stopped container comes back when the daemon starts (`always`, `unless-stopped`, …). */
  startsWithDaemon(c: ContainerRecord): boolean {
    return shouldStartOnDaemonStart(parseRestartPolicy(c.hostConfig.RestartPolicy), {
      manuallyStopped: c.manuallyStopped,
      hasBeenStartedBefore: c.state.startedAt !== null,
      exitCode: c.state.exitCode,
      restartCount: c.restartCount,
    });
  }

  schedule(id: string, delayMs: number, restart: () => void): void {
    this.lastDelay.set(id, delayMs);
    const timer = this.timers.get(id) ?? new RestartTimer();
    this.timers.set(id, timer);
    timer.schedule(delayMs, restart);
  }

  isPending(id: string): boolean {
    return this.timers.get(id)?.pending ?? false;
  }

  /**
   * moby's ExitOnNext (`docker stop`, `rm -f`, and `kill` with SIGKILL or the stop signal): no restart
   * after the next exit, and a pending one is dropped; true if one was pending.
   */
  exitOnNext(id: string): boolean {
    this.exitingOnNext.add(id);
    return this.cancel(id);
  }

  /** Whether the next exit is final (a restart that fires regardless gives up). */
  isExitingOnNext(id: string): boolean {
    return this.exitingOnNext.has(id);
  }

  /** `docker start` and removal: the backoff starts over. */
  forget(id: string): void {
    this.cancel(id);
    this.exitingOnNext.delete(id);
    this.timers.delete(id);
    this.lastDelay.delete(id);
  }

  /** Drops a pending restart; true if one was pending. */
  cancel(id: string): boolean {
    const timer = this.timers.get(id);
    if (!timer?.pending) return false;
    timer.cancel();
    return true;
  }

  /** Daemon shutdown: pending restarts are dropped; the next daemon restarts what is still `restarting`. */
  cancelAll(): void {
    for (const timer of this.timers.values()) timer.cancel();
  }
}
