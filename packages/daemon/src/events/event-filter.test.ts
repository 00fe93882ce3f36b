import { describe, expect, it } from 'vitest';
import type { EventMessage } from '@berth/api';
import { eventFilter } from './event-filter.js';

const ID = 'a'.repeat(12) + 'b'.repeat(52);

function event(action: string, attributes: Record<string, string> = {}, type: EventMessage['Type'] = 'container'): EventMessage {
  return { Type: type, Action: action, Actor: { ID, Attributes: { image: 'busybox:latest', name: 'web', ...attributes } }, scope: 'local', time: 1, timeNano: 1e9 };
}

describe('eventFilter', () => {
  it('passes everything without filters', () => {
    expect(eventFilter({})(event('start'))).toBe(true);
  });

  it('ORs values of one key and ANDs keys', () => {
    const f = eventFilter({ event: ['start', 'die'], type: ['container'] });
    expect(f(event('start'))).toBe(true);
    expect(f(event('die'))).toBe(true);
    expect(f(event('stop'))).toBe(false);
    expect(f(event('start', {}, 'image'))).toBe(false);
  });

  it('matches health_status with or without its detail', () => {
    expect(eventFilter({ event: ['health_status'] })(event('health_status: healthy'))).toBe(true);
    expect(eventFilter({ event: ['health_status: healthy'] })(event('health_status: healthy'))).toBe(true);
    expect(eventFilter({ event: ['health_status: unhealthy'] })(event('health_status: healthy'))).toBe(false);
  });

  it('matches container by id prefix or name prefix', () => {
    expect(eventFilter({ container: ['aaaa'] })(event('start'))).toBe(true);
    expect(eventFilter({ container: ['web'] })(event('start'))).toBe(true);
    expect(eventFilter({ container: ['db'] })(event('start'))).toBe(false);
  });

  it('matches image with and without tag, and labels by key or key=value', () => {
    expect(eventFilter({ image: ['busybox'] })(event('start'))).toBe(true);
    expect(eventFilter({ image: ['busybox:latest'] })(event('start'))).toBe(true);
    expect(eventFilter({ image: ['alpine'] })(event('start'))).toBe(false);
    expect(eventFilter({ label: ['team'] })(event('start', { team: 'blue' }))).toBe(true);
    expect(eventFilter({ label: ['team=blue', 'tier'] })(event('start', { team: 'blue' }))).toBe(false);
    expect(eventFilter({ label: ['team=red'] })(event('start', { team: 'blue' }))).toBe(false);
  });

  it('matches image events by the image ID or the name, with or without its tag', () => {
    const tag = { ...event('tag', {}, 'image'), Actor: { ID: 'sha256:abc', Attributes: { name: 'busybox:new' } } };
    const untag = { ...event('untag', {}, 'image'), Actor: { ID: 'sha256:abc', Attributes: { name: 'sha256:abc' } } };
    expect([tag, untag].map(eventFilter({ image: ['busybox'] }))).toEqual([true, false]);
    expect([tag, untag].map(eventFilter({ image: ['busybox:new'], event: ['tag'] }))).toEqual([true, false]);
    expect([tag, untag].map(eventFilter({ image: ['sha256:abc'] }))).toEqual([true, true]);
    expect([tag, untag].map(eventFilter({ type: ['image'], event: ['untag'] }))).toEqual([false, true]);
  });

  it('matches volume events by name prefix, and exec_die exactly while exec_create takes its detail', () => {
    const mount = { ...event('mount', {}, 'volume'), Actor: { ID: 'data-1', Attributes: { driver: 'local', container: ID } } };
    expect(eventFilter({ volume: ['data'] })(mount)).toBe(true);
    expect(eventFilter({ volume: ['db'] })(mount)).toBe(false);
    expect(eventFilter({ type: ['volume'], container: ['aaaa'] })(mount)).toBe(false);
    expect(eventFilter({ event: ['exec_create'] })(event('exec_create: sh -c true'))).toBe(true);
    expect(eventFilter({ event: ['exec_die'] })(event('exec_die'))).toBe(true);
    expect(eventFilter({ event: ['exec'] })(event('exec_die'))).toBe(false);
  });

  it('rejects unknown keys with moby message', () => {
    expect(() => eventFilter({ colour: ['red'] })).toThrow("invalid filter 'colour'");
  });
});
