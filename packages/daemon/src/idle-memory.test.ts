import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleMemoryRelease, watchActivity } from './idle-memory.js';

describe('IdleMemoryRelease', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('releases once activity has stopped for the quiet period, and not again until new activity', () => {
    const release = vi.fn();
    const idle = new IdleMemoryRelease(release, 1000);
    idle.touch();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(900);
      idle.touch();
    }
    expect(release).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2000);
    expect(release).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(release).toHaveBeenCalledTimes(1);
    idle.touch();
    vi.advanceTimersByTime(2000);
    expect(release).toHaveBeenCalledTimes(2);
  });

  it('releases nothing once closed', () => {
    const release = vi.fn();
    const idle = new IdleMemoryRelease(release, 1000);
    idle.touch();
    idle.close();
    vi.advanceTimersByTime(5000);
    expect(release).not.toHaveBeenCalled();
  });

  it.each(['request', 'upgrade'])('counts the quiet period from the end of a long %s, not from its start', (event) => {
    const release = vi.fn();
    const idle = new IdleMemoryRelease(release, 1000);
    const server = new EventEmitter();
    watchActivity(server, idle);
    const stream = new EventEmitter();
    server.emit(event, {}, stream);
    vi.advanceTimersByTime(5000);
    // Released once mid-stream (the stream itself does not count as activity while it runs).
    expect(release).toHaveBeenCalledTimes(1);
    stream.emit('close');
    vi.advanceTimersByTime(999);
    expect(release).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(release).toHaveBeenCalledTimes(2);
  });
});
