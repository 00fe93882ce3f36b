import { describe, expect, it } from 'vitest';
import { decideRestart, shouldStartOnDaemonStart } from './decide.js';
import type { RestartInput } from './decide.js';
import { parseRestartPolicy } from './policy.js';

/** An exit after a short run, with no restarts yet: the usual crash. */
function exit(policy: string, overrides: Partial<RestartInput> = {}): RestartInput {
  return {
    policy: parseRestartPolicy(policy),
    exitCode: 1,
    manuallyStopped: false,
    cancelled: false,
    runDurationMs: 50,
    restartCount: 0,
    previousDelayMs: 0,
    ...overrides,
  };
}

describe('decideRestart: which exits restart', () => {
  it.each<[string, Partial<RestartInput>, boolean]>([
    ['no', { exitCode: 1 }, false],
    ['no', { exitCode: 0 }, false],
    ['always', { exitCode: 0 }, true],
    ['always', { exitCode: 1 }, true],
    ['always', { exitCode: 137 }, true],
    ['always', { manuallyStopped: true }, true],
    ['always', { manuallyStopped: true, cancelled: true }, false],
    ['always', { daemonShuttingDown: true }, false],
    ['unless-stopped', { exitCode: 0 }, true],
    ['unless-stopped', { exitCode: 1 }, true],
    ['unless-stopped', { manuallyStopped: true }, false],
    ['unless-stopped', { cancelled: true }, false],
    ['unless-stopped', { daemonShuttingDown: true }, false],
    ['on-failure', { exitCode: 0 }, false],
    ['on-failure', { exitCode: 1 }, true],
    ['on-failure', { exitCode: -1 }, true],
    ['on-failure', { exitCode: 143, manuallyStopped: true }, true],
    ['on-failure', { exitCode: 143, manuallyStopped: true, cancelled: true }, false],
    ['on-failure', { daemonShuttingDown: true }, false],
    ['on-failure', { restartCount: 1000 }, true],
    ['on-failure:2', { restartCount: 1 }, true],
    ['on-failure:2', { restartCount: 2 }, false],
    ['on-failure:2', { exitCode: 0, restartCount: 0 }, false],
  ])('%s with %j -> restart %s', (policy, overrides, restart) => {
    expect(decideRestart(exit(policy, overrides)).restart).toBe(restart);
  });

  it('counts the restart it grants', () => {
    expect(decideRestart(exit('always', { restartCount: 4 }))).toEqual({ restart: true, delayMs: 100, restartCount: 5 });
  });

  it('restarts on-failure:2 exactly twice, then stops', () => {
    const restarts: number[] = [];
    let state = exit('on-failure:2');
    for (;;) {
      const decision = decideRestart(state);
      if (!decision.restart) break;
      restarts.push(decision.restartCount);
      state = { ...state, restartCount: decision.restartCount, previousDelayMs: decision.delayMs };
    }
    expect(restarts).toEqual([1, 2]);
  });
});

describe('decideRestart: backoff', () => {
  function delaysOfCrashLoop(count: number, runDurationMs = 50): number[] {
    const delays: number[] = [];
    let state = exit('always', { runDurationMs });
    for (let i = 0; i < count; i++) {
      const decision = decideRestart(state);
      if (!decision.restart) throw new Error('expected a restart');
      delays.push(decision.delayMs);
      state = { ...state, restartCount: decision.restartCount, previousDelayMs: decision.delayMs };
    }
    return delays;
  }

  it('starts at 100 ms and doubles up to a one-minute cap', () => {
    expect(delaysOfCrashLoop(13)).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 60_000, 60_000, 60_000,
    ]);
  });

  it('starts over at 100 ms once the container ran for 10 s', () => {
    expect(decideRestart(exit('always', { previousDelayMs: 51_200, runDurationMs: 10_000 }))).toMatchObject({
      delayMs: 100,
    });
    expect(decideRestart(exit('always', { previousDelayMs: 60_000, runDurationMs: 3_600_000 }))).toMatchObject({
      delayMs: 100,
    });
    expect(decideRestart(exit('always', { previousDelayMs: 51_200, runDurationMs: 9_999 }))).toMatchObject({
      delayMs: 60_000,
    });
  });

  it('a container that always runs 10 s or more keeps the initial delay', () => {
    expect(delaysOfCrashLoop(4, 10_000)).toEqual([100, 100, 100, 100]);
  });

  it('applies the same backoff to on-failure and unless-stopped', () => {
    for (const policy of ['on-failure', 'unless-stopped']) {
      expect(decideRestart(exit(policy, { previousDelayMs: 400 }))).toMatchObject({ delayMs: 800 });
    }
  });
});

describe('shouldStartOnDaemonStart', () => {
  const started = { manuallyStopped: false, hasBeenStartedBefore: true, exitCode: 0 };

  it.each<[string, Partial<typeof started & { restartCount: number }>, boolean]>([
    ['no', { exitCode: 1 }, false],
    ['always', {}, true],
    // A manual stop does not survive a daemon restart for 'always'; that is its difference from 'unless-stopped'.
    ['always', { manuallyStopped: true }, true],
    ['always', { hasBeenStartedBefore: false }, false],
    ['unless-stopped', {}, true],
    ['unless-stopped', { manuallyStopped: true }, false],
    ['unless-stopped', { hasBeenStartedBefore: false }, false],
    ['on-failure', { exitCode: 0 }, false],
    ['on-failure', { exitCode: 1 }, true],
    ['on-failure', { exitCode: 1, hasBeenStartedBefore: false }, false],
    ['on-failure:3', { exitCode: 1, restartCount: 2 }, true],
    ['on-failure:3', { exitCode: 1, restartCount: 3 }, false],
  ])('%s with %j -> %s', (policy, overrides, expected) => {
    expect(shouldStartOnDaemonStart(parseRestartPolicy(policy), { ...started, ...overrides })).toBe(expected);
  });
});
