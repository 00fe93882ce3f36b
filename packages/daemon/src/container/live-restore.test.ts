import { describe, expect, it } from 'vitest';
import type { ExitStatus, RuntimeDriver, RuntimeState, TaskSpec } from '../runtime/index.js';
import { findTask } from './live-restore.js';
import type { ContainerRecord } from './record.js';
import { initialRunState } from './state.js';

const spec = { id: 'c1', bundleDir: '/b', logPath: '/l', exitDir: '/e', persistDir: '/p', terminal: false, openStdin: false } as TaskSpec;

/** The three runtime facts findTask reads; nothing else is called. */
function runtime(facts: { exit?: ExitStatus; state?: RuntimeState | null; monitorAlive?: boolean }): RuntimeDriver {
  return {
    readExit: () => Promise.resolve(facts.exit ?? null),
    state: () => Promise.resolve(facts.state ?? null),
    isMonitorAlive: () => Promise.resolve(facts.monitorAlive ?? false),
  } as unknown as RuntimeDriver;
}

const running = (restarting = false) => ({ id: 'c1', state: { ...initialRunState(), running: true, restarting } }) as ContainerRecord;

describe('findTask', () => {
  it('reports the exit conmon recorded while no daemon watched', async () => {
    const exit = { exitCode: 3, finishedAt: new Date('2026-01-01T00:00:02Z'), oomKilled: false };
    expect(await findTask(running(), runtime({ exit }), spec)).toEqual({ kind: 'exited', exit });
  });

  it('re-adopts a task that still runs, or whose conmon is about to record its exit', async () => {
    expect(await findTask(running(), runtime({ state: { status: 'running', pid: 42 } }), spec)).toEqual({ kind: 'alive' });
    expect(await findTask(running(), runtime({ state: { status: 'paused', pid: 42 } }), spec)).toEqual({ kind: 'alive' });
    expect(await findTask(running(), runtime({ state: { status: 'stopped', pid: 0 }, monitorAlive: true }), spec)).toEqual({ kind: 'alive' });
  });

  it('finds a start that never happened, a pending restart, and a vanished task', async () => {
    expect(await findTask(running(), runtime({ state: { status: 'created', pid: 42 } }), spec)).toEqual({ kind: 'never-started' });
    expect(await findTask(running(true), runtime({ exit: { exitCode: 1, finishedAt: new Date(), oomKilled: false } }), spec)).toEqual({ kind: 'restart-pending' });
    const vanished = await findTask(running(), runtime({ state: null }), spec);
    expect(vanished).toMatchObject({ kind: 'exited', exit: { exitCode: 255 } });
  });
});
