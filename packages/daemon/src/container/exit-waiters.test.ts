import { describe, expect, it } from 'vitest';
import { ExitWaiters } from './exit-waiters.js';

const EXIT = { StatusCode: 3, Error: null };

describe('ExitWaiters', () => {
  it('wakes waiters on exit, and removal waiters only on removal', async () => {
    const waiters = new ExitWaiters();
    const exit = waiters.add('c', 'not-running');
    const removal = waiters.add('c', 'removed');
    waiters.exited('c', EXIT);
    await expect(exit).resolves.toEqual(EXIT);
    expect(waiters.count('c')).toBe(1);
    waiters.removed('c', EXIT);
    await expect(removal).resolves.toEqual(EXIT);
    expect(waiters.count()).toBe(0);
  });

  it('drops the waiter of an aborted wait, so abandoned waits leave nothing behind', async () => {
    const waiters = new ExitWaiters();
    const controllers = Array.from({ length: 200 }, () => new AbortController());
    const waits = controllers.map((c) => waiters.add('c', 'next-exit', c.signal));
    const kept = waiters.add('c', 'next-exit');
    expect(waiters.count('c')).toBe(201);
    for (const c of controllers) c.abort(new Error('client went away'));
    await Promise.all(waits.map((w) => expect(w).rejects.toThrow('client went away')));
    expect(waiters.count()).toBe(1);
    waiters.exited('c', EXIT);
    await expect(kept).resolves.toEqual(EXIT);
    expect(waiters.count()).toBe(0);
  });

  it('rejects at once when the signal already aborted', async () => {
    const waiters = new ExitWaiters();
    await expect(waiters.add('c', 'removed', AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(waiters.count()).toBe(0);
  });

  it('an abort after the wake changes nothing', async () => {
    const waiters = new ExitWaiters();
    const controller = new AbortController();
    const wait = waiters.add('c', 'not-running', controller.signal);
    waiters.exited('c', EXIT);
    controller.abort();
    await expect(wait).resolves.toEqual(EXIT);
  });
});
