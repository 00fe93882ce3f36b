import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLongTimeout } from './long-timeout.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('setLongTimeout', () => {
  it('fires after a delay longer than setTimeout takes, not at once', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    setLongTimeout(fired, 2 ** 31 + 5_000);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('fires after a short delay, and not once cancelled', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    setLongTimeout(fired, 10);
    const cancelled = vi.fn();
    setLongTimeout(cancelled, 2 ** 32)();
    vi.advanceTimersByTime(2 ** 33);
    expect(fired).toHaveBeenCalledOnce();
    expect(cancelled).not.toHaveBeenCalled();
  });
});
