import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';

const input = (action: string) => ({ Type: 'container' as const, Action: action, Actor: { ID: 'abc', Attributes: { image: 'busybox', name: 'x' } } });

describe('EventLog', () => {
  it('stamps events with Docker fields, including the legacy ones for containers', () => {
    const e = new EventLog().publish(input('start'));
    expect(e).toMatchObject({ Type: 'container', Action: 'start', status: 'start', id: 'abc', from: 'busybox', scope: 'local' });
    expect(e.time).toBe(Math.floor(e.timeNano / 1e9));
  });

  it('sends the attributes in key order, as moby marshals its map[string]string', () => {
    const e = new EventLog().publish({ Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { exitCode: '3', role: 'batch', image: 'busybox', name: 'x' } } });
    expect(JSON.stringify(e.Actor.Attributes)).toBe('{"exitCode":"3","image":"busybox","name":"x","role":"batch"}');
  });

  it('gives image events status and id but no from, and other types none of them', () => {
    const log = new EventLog();
    const image = log.publish({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:abc', Attributes: { name: 'busybox:new' } } });
    expect(image).toMatchObject({ status: 'tag', id: 'sha256:abc' });
    expect(image).not.toHaveProperty('from');
    const volume = log.publish({ Type: 'volume', Action: 'create', Actor: { ID: 'v', Attributes: { driver: 'local' } } });
    expect(Object.keys(volume)).not.toContain('status');
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
