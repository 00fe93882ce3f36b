import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerStatsResponse } from '@berth/api';
import { StatsCollector, type StatsSource } from './stats-collector.js';

const sample = (name: string, pids: number): ContainerStatsResponse =>
  ({ name: `/${name}`, id: `${name}-id`, pids_stats: { current: pids }, cpu_stats: {}, precpu_stats: {}, memory_stats: {} }) as unknown as ContainerStatsResponse;

/** A source whose streams yield what a test pushes, end when it says, and record their aborts. */
function fakeSource(): StatsSource & { push(name: string, pids: number): void; end(name: string): void; aborted: string[] } {
  const queues = new Map<string, { items: (ContainerStatsResponse | null)[]; wake?: () => void }>();
  const queue = (name: string) => queues.get(name) ?? queues.set(name, { items: [] }).get(name)!;
  const aborted: string[] = [];
  const deliver = (name: string, item: ContainerStatsResponse | null): void => {
    const q = queue(name);
    q.items.push(item);
    q.wake?.();
  };
  return {
    aborted,
    push: (name, pids) => deliver(name, sample(name, pids)),
    end: (name) => deliver(name, null),
    sample: (name) => (name === 'nope' ? Promise.reject(new Error('No such container: nope')) : Promise.resolve(sample(name, 1))),
    stream: (name, signal) => {
      signal.addEventListener('abort', () => aborted.push(name));
      const q = queue(name);
      return Promise.resolve(
        (async function* () {
          for (;;) {
            const item = q.items.shift();
            if (item === null) return;
            if (item) yield item;
            else await new Promise<void>((resolve) => (q.wake = resolve));
          }
        })(),
      );
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('StatsCollector', () => {
  it('follows each container once, in the order added, with its last sample', async () => {
    const source = fakeSource();
    const collector = new StatsCollector(source, true);
    expect([collector.add('a'), collector.add('b'), collector.add('a')]).toEqual([true, true, false]);
    source.push('a', 1);
    source.push('b', 2);
    await collector.firstSamples();
    source.push('a', 5);
    await vi.waitFor(() => expect(collector.entries().map((e) => [e.container, e.pids])).toEqual([['a', 5], ['b', 2]]));
    collector.close();
  });

  it('shows a container whose stream ended as invalid, and stops and drops a removed one', async () => {
    const source = fakeSource();
    const collector = new StatsCollector(source, true);
    collector.add('a');
    collector.add('b');
    source.push('a', 1);
    source.end('b');
    await collector.firstSamples();
    expect(collector.entries().map((e) => [e.container, e.invalid])).toEqual([['a', false], ['b', true]]);
    collector.remove('a');
    expect(source.aborted).toEqual(['a']);
    expect(collector.size).toBe(1);
    collector.close();
  });

  it('marks a container that sends nothing for two seconds invalid, as docker does', async () => {
    vi.useFakeTimers();
    const collector = new StatsCollector(fakeSource(), true);
    collector.add('quiet');
    await vi.advanceTimersByTimeAsync(2000);
    await collector.firstSamples();
    expect(collector.entries()[0]!.invalid).toBe(true);
    expect(collector.errors()).toEqual([new Error('timeout waiting for stats')]);
    collector.close();
  });

  it('without streaming takes one sample each and keeps the errors', async () => {
    const collector = new StatsCollector(fakeSource(), false);
    collector.add('a');
    collector.add('nope');
    await collector.firstSamples();
    expect(collector.entries().map((e) => [e.name, e.invalid])).toEqual([['/a', false], ['', true]]);
    expect(collector.errors()).toEqual([new Error('No such container: nope')]);
  });
});
