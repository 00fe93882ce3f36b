import { describe, expect, it } from 'vitest';
import type { ProbeSettings } from './health-config.js';
import { applyProbeResult, healthSuffix, nextProbeDelay, resetHealth, type HealthState } from './health-state.js';

const settings: ProbeSettings = { command: ['true'], intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 };
const started = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(started.getTime() + s * 1000);
const result = (s: number, exitCode: number) => ({ start: at(s), end: at(s + 0.1), exitCode, output: `run ${s}` });

describe('applyProbeResult', () => {
  it('becomes healthy on success and unhealthy after `retries` failures in a row', () => {
    let h = resetHealth(undefined);
    h = applyProbeResult(h, result(1, 0), settings, started);
    expect(h).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
    h = applyProbeResult(h, result(2, 1), settings, started);
    h = applyProbeResult(h, result(3, 1), settings, started);
    expect(h).toMatchObject({ Status: 'healthy', FailingStreak: 2 });
    h = applyProbeResult(h, result(4, 1), settings, started);
    expect(h).toMatchObject({ Status: 'unhealthy', FailingStreak: 3 });
    h = applyProbeResult(h, result(5, 0), settings, started);
    expect(h).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
  });

  it('keeps the last five results, oldest first', () => {
    let h: HealthState = resetHealth(undefined);
    for (let s = 0; s < 7; s++) h = applyProbeResult(h, result(s, 0), settings, started);
    expect(h.Log.map((e) => e.Output)).toEqual(['run 2', 'run 3', 'run 4', 'run 5', 'run 6']);
    expect(h.Log[0]).toEqual({ Start: at(2).toISOString(), End: at(2.1).toISOString(), ExitCode: 0, Output: 'run 2' });
  });

  it('ignores failures of a never-healthy container within its start period', () => {
    const withStart = { ...settings, startPeriodMs: 10_000, retries: 1 };
    let h = applyProbeResult(resetHealth(undefined), result(5, 1), withStart, started);
    expect(h).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    h = applyProbeResult(h, result(11, 1), withStart, started);
    expect(h).toMatchObject({ Status: 'unhealthy', FailingStreak: 1 });
  });

  it('keeps the log but starts over on a restart', () => {
    const h = applyProbeResult(resetHealth(undefined), result(1, 1), { ...settings, retries: 1 }, started);
    expect(resetHealth(h)).toEqual({ Status: 'starting', FailingStreak: 0, Log: h.Log });
  });
});

describe('nextProbeDelay', () => {
  const startup = { ...settings, startPeriodMs: 60_000, startIntervalMs: 2_000, intervalMs: 10_000 };
  it('uses the start interval while starting within the start period, then the interval', () => {
    expect(nextProbeDelay(resetHealth(undefined), startup, 1_000)).toBe(2_000);
    expect(nextProbeDelay({ Status: 'healthy', FailingStreak: 0, Log: [] }, startup, 1_000)).toBe(10_000);
    expect(nextProbeDelay(resetHealth(undefined), startup, 55_000)).toBe(5_000);
    expect(nextProbeDelay(resetHealth(undefined), startup, 60_000)).toBe(10_000);
  });
});

describe('healthSuffix', () => {
  it('is what docker ps appends', () => {
    expect(healthSuffix(undefined)).toBe('');
    expect(healthSuffix(resetHealth(undefined))).toBe(' (health: starting)');
    expect(healthSuffix({ Status: 'unhealthy', FailingStreak: 3, Log: [] })).toBe(' (unhealthy)');
  });
});
