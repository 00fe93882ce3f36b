/** moby's restart backoff (daemon/internal/restartmanager): 100 ms, doubling, capped at one minute. */
export const INITIAL_RESTART_DELAY_MS = 100;
export const MAX_RESTART_DELAY_MS = 60_000;
/** A container that stayed up this long is considered healthy again, so its backoff starts over. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

export function nextRestartDelay(previousDelayMs: number, runDurationMs: number): number {
  if (previousDelayMs <= 0 || runDurationMs >= BACKOFF_RESET_AFTER_MS) return INITIAL_RESTART_DELAY_MS;
  return Math.min(previousDelayMs * 2, MAX_RESTART_DELAY_MS);
}
