import { InternalError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { RestartTimer } from './restart-timer.js';
import type { TimerClock } from './restart-timer.js';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements TimerClock {
  now = 0;
  #nextHandle = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.#nextHandle++;
    this.#timers.set(handle, { at: this.now + ms, fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [handle, timer] of [...this.#timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.#timers.delete(handle);
      timer.fn();
    }
  }

  get scheduled(): number {
    return this.#timers.size;
  }
}

describe('RestartTimer', () => {
  it('fires once the delay has passed', () => {
    const clock = new FakeClock();
    const timer = new RestartTimer(clock);
    let fired = 0;
    timer.schedule(200, () => fired++);
    expect(timer.pending).toBe(true);
    clock.advance(199);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(timer.pending).toBe(false);
  });

  it('cancel prevents firing and releases the clock timer', () => {
    const clock = new FakeClock();
    const timer = new RestartTimer(clock);
    let fired = false;
    timer.schedule(100, () => (fired = true));
    timer.cancel();
    expect(timer.pending).toBe(false);
    expect(clock.scheduled).toBe(0);
    clock.advance(1000);
    expect(fired).toBe(false);
  });

  it('cancel without a pending restart is harmless', () => {
    const timer = new RestartTimer(new FakeClock());
    expect(() => timer.cancel()).not.toThrow();
    expect(timer.pending).toBe(false);
  });

  it('refuses a second restart while one is pending', () => {
    const timer = new RestartTimer(new FakeClock());
    timer.schedule(100, () => undefined);
    expect(() => timer.schedule(100, () => undefined)).toThrow(InternalError);
  });

  it('can be scheduled again from its own callback and after a cancel', () => {
    const clock = new FakeClock();
    const timer = new RestartTimer(clock);
    const firedAt: number[] = [];
    timer.schedule(100, () => {
      firedAt.push(clock.now);
      timer.schedule(200, () => firedAt.push(clock.now));
    });
    clock.advance(100);
    clock.advance(200);
    expect(firedAt).toEqual([100, 300]);

    timer.schedule(50, () => firedAt.push(-1));
    timer.cancel();
    timer.schedule(50, () => firedAt.push(clock.now));
    clock.advance(50);
    expect(firedAt).toEqual([100, 300, 350]);
  });

  it('uses the real timers by default', async () => {
    const timer = new RestartTimer();
    await new Promise<void>((resolve) => timer.schedule(1, resolve));
    expect(timer.pending).toBe(false);
  });
});
