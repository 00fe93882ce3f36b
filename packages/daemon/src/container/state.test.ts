import { describe, expect, it } from 'vitest';
import { humanStatus, initialRunState, markRunning, markStopped, statusOf, type RunState } from './state.js';

const now = new Date('2026-01-01T00:10:00Z');
const base = initialRunState();

describe('derived container status', () => {
  const cases: Array<[string, RunState, boolean, string]> = [
    ['created', base, false, 'created'],
    ['running', { ...base, running: true, startedAt: now.toISOString() }, false, 'running'],
    ['paused wins over restarting', { ...base, running: true, paused: true, restarting: true }, false, 'paused'],
    ['restarting', { ...base, running: true, restarting: true }, false, 'restarting'],
    ['removing', { ...base, startedAt: now.toISOString() }, true, 'removing'],
    ['dead', { ...base, dead: true }, false, 'dead'],
    ['exited', { ...base, startedAt: now.toISOString(), finishedAt: now.toISOString() }, false, 'exited'],
  ];
  it.each(cases)('%s', (_name, state, removing, expected) => expect(statusOf(state, removing)).toBe(expected));

  it('records start and exit', () => {
    const running = markRunning(base, 42, new Date('2026-01-01T00:00:00Z'));
    expect(statusOf(running)).toBe('running');
    expect(humanStatus(running, now)).toBe('Up 10 minutes');
    const stopped = markStopped(running, { exitCode: 3, finishedAt: new Date('2026-01-01T00:09:58Z') });
    expect(stopped.pid).toBe(0);
    expect(humanStatus(stopped, now)).toBe('Exited (3) 2 seconds ago');
  });
});
