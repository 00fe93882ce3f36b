import type { ProbeSettings } from './health-config.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe run as inspect shows it (State.Health.Log). */
export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** `State.Health` of inspect, kept in the container record. */
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  /** Oldest first. */
  Log: HealthLogEntry[];
}

export const MAX_HEALTH_LOG_ENTRIES = 5;
export const MAX_PROBE_OUTPUT_BYTES = 4096;

export interface ProbeResult {
  start: Date;
  end: Date;
  exitCode: number;
  output: string;
}

/** A (re)started container is `starting` again, with its old log kept (moby's initHealthMonitor). */
export function resetHealth(previous: HealthState | undefined): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: previous?.Log ?? [] };
}

/**
 * moby's handleProbeResult: success makes the container healthy; a failure counts towards `retries`
 * unless the container has never been healthy and is still within its start period.
 */
export function applyProbeResult(h: HealthState, result: ProbeResult, settings: ProbeSettings, startedAt: Date): HealthState {
  const entry: HealthLogEntry = {
    Start: result.start.toISOString(),
    End: result.end.toISOString(),
    ExitCode: result.exitCode,
    Output: result.output,
  };
  const log = [...h.Log, entry].slice(-MAX_HEALTH_LOG_ENTRIES);
  if (result.exitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  const inStartPeriod = h.Status === 'starting' && result.start.getTime() - startedAt.getTime() < settings.startPeriodMs;
  if (inStartPeriod) return { ...h, Log: log };
  const streak = h.FailingStreak + 1;
  return { Status: streak >= settings.retries ? 'unhealthy' : h.Status, FailingStreak: streak, Log: log };
}

/** The wait before the next probe (moby's monitor getInterval): start interval while starting up. */
export function nextProbeDelay(h: HealthState, settings: ProbeSettings, sinceStartMs: number): number {
  if (sinceStartMs >= settings.startPeriodMs) return settings.intervalMs;
  const remaining = settings.startPeriodMs - sinceStartMs;
  if (remaining < settings.intervalMs) return remaining;
  return h.Status === 'starting' ? settings.startIntervalMs : settings.intervalMs;
}

/** What `docker ps` appends to "Up …": "(healthy)", "(unhealthy)" or "(health: starting)". */
export function healthSuffix(h: HealthState | undefined): string {
  if (!h) return '';
  return h.Status === 'starting' ? ' (health: starting)' : ` (${h.Status})`;
}
