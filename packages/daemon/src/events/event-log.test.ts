import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';

const input = (action: string) => ({ Type: 'container' as const, Action: action, Actor: { ID: 'abc', Attributes: { image: 'busybox', name: 'x' } } });

describe('EventLog', () => {
  it('stamps events with Docker fields, including the legacy ones for containers', () => {
    const e = new EventLog().publish(input('start'));
    expect(e).toMatchObject({ Type: 'container', Action: 'start', status: 'start', id: 'abc', from: 'busybox', scope: 'local' });
    expect(e.time).toBe(Math.floor(e.timeNano / 1e9));
  });

  it('keeps times strictly increasing and replays a time range', () => {
    const log = new EventLog();
    const [a, b, c] = ['create', 'start', 'die'].map((action) => log.publish(input(action)));
    expect(a!.timeNano).toBeLessThan(b!.timeNano);
    expect(b!.timeNano).toBeLessThan(c!.timeNano);
    expect(log.replay(b!.timeNano).map((e) => e.Action)).toEqual(['start', 'die']);
    expect(log.replay(0, b!.timeNano).map((e) => e.Action)).toEqual(['create', 'start']);
  });

  it('forgets the oldest events beyond its capacity', () => {
    const log = new EventLog(2);
    ['a', 'b', 'c'].forEach((action) => log.publish(input(action)));
    expect(log.replay(0).map((e) => e.Action)).toEqual(['b', 'c']);
  });

  it('delivers to subscribers until they unsubscribe', () => {
    const log = new EventLog();
    const seen: string[] = [];
    const unsubscribe = log.subscribe((e) => seen.push(e.Action));
    log.publish(input('start'));
    unsubscribe();
    log.publish(input('die'));
    expect(seen).toEqual(['start']);
  });
});
