import { describe, expect, it } from 'vitest';
import type { ContainerRecord } from './record.js';
import { RestartSupervisor } from './restart-supervisor.js';
import { initialRunState } from './state.js';

function record(policy: string, overrides: Partial<ContainerRecord> = {}): ContainerRecord {
  const [name, count] = policy.split(':');
  return {
    id: 'c1',
    name: '/c1',
    created: '2026-01-01T00:00:00Z',
    imageRef: 'busybox',
    imageId: 'sha256:1',
    imageChainId: null,
    path: 'true',
    args: [],
    config: {},
    hostConfig: { RestartPolicy: { Name: name, MaximumRetryCount: Number(count ?? 0) } },
    state: { ...initialRunState(), running: true, startedAt: '2026-01-01T00:00:00.000Z' },
    restartCount: 0,
    manuallyStopped: false,
    ...overrides,
  };
}

const exitAfter = (seconds: number, exitCode = 1) => ({ exitCode, finishedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + seconds * 1000) });

describe('RestartSupervisor.decide', () => {
  it('doubles the delay of a crash loop from 100 ms and counts restarts', () => {
    const s = new RestartSupervisor();
    const c = record('always');
    const first = s.decide(c, exitAfter(1));
    expect(first).toEqual({ restart: true, delayMs: 100, restartCount: 1 });
    s.schedule(c.id, 100, () => undefined);
    s.cancel(c.id);
    expect(s.decide({ ...c, restartCount: 1 }, exitAfter(1))).toEqual({ restart: true, delayMs: 200, restartCount: 2 });
  });

  it('starts the backoff over after 10 s of uptime and after forget (docker start)', () => {
    const s = new RestartSupervisor();
    const c = record('always');
    s.schedule(c.id, 800, () => undefined);
    s.cancel(c.id);
    expect(s.decide(c, exitAfter(10))).toMatchObject({ delayMs: 100 });
    expect(s.decide(c, exitAfter(1))).toMatchObject({ delayMs: 1600 });
    s.forget(c.id);
    expect(s.decide(c, exitAfter(1))).toMatchObject({ delayMs: 100 });
  });

  it('stops on-failure:N after N restarts, and restarts nothing whose next exit was made final', () => {
    const s = new RestartSupervisor();
    expect(s.decide(record('on-failure:2', { restartCount: 2 }), exitAfter(1))).toEqual({ restart: false });
    expect(s.decide(record('on-failure:2', { restartCount: 1 }), exitAfter(1))).toMatchObject({ restart: true, restartCount: 2 });
    expect(s.decide(record('on-failure'), exitAfter(1, 0))).toEqual({ restart: false });
    // A kill with a signal other than the stop signal leaves 'always' restarting, as in moby.
    expect(s.decide(record('always', { manuallyStopped: true }), exitAfter(1))).toMatchObject({ restart: true });
    expect(s.decide(record('unless-stopped', { manuallyStopped: true }), exitAfter(1))).toEqual({ restart: false });
    s.exitOnNext('c1');
    expect(s.decide(record('always', { id: 'c1', manuallyStopped: true }), exitAfter(1))).toEqual({ restart: false });
    s.forget('c1');
    expect(s.decide(record('always', { id: 'c1' }), exitAfter(1))).toMatchObject({ restart: true });
  });
});

describe('RestartSupervisor.startsWithDaemon', () => {
  const stopped = (policy: string, overrides: Partial<ContainerRecord> = {}) =>
    record(policy, { state: { ...initialRunState(), startedAt: '2026-01-01T00:00:00Z', exitCode: 0 }, ...overrides });
  it('follows moby: always even after a stop, unless-stopped only if not stopped by the user', () => {
    const s = new RestartSupervisor();
    expect(s.startsWithDaemon(stopped('always', { manuallyStopped: true }))).toBe(true);
    expect(s.startsWithDaemon(stopped('unless-stopped'))).toBe(true);
    expect(s.startsWithDaemon(stopped('unless-stopped', { manuallyStopped: true }))).toBe(false);
    expect(s.startsWithDaemon(stopped('no'))).toBe(false);
    expect(s.startsWithDaemon(record('always', { state: initialRunState() }))).toBe(false);
  });
});

describe('RestartSupervisor timers', () => {
  it('runs the scheduled restart unless cancelled', async () => {
    const s = new RestartSupervisor();
    const ran = new Promise<string>((resolve) => s.schedule('a', 1, () => resolve('a')));
    s.schedule('b', 1, () => {
      throw new Error('cancelled restart ran');
    });
    expect(s.isPending('b')).toBe(true);
    expect(s.cancel('b')).toBe(true);
    expect(s.cancel('b')).toBe(false);
    expect(await ran).toBe('a');
    expect(s.isPending('a')).toBe(false);
  });
});
