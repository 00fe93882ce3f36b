import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { networkListFilter, networkPruneFilter } from './network-filters.js';
import type { NetworkRecord } from './network-record.js';
import { builtInNetwork } from './network-store.js';
import { bridgeNetwork as network } from './test-support/network-records.js';

const bridge = network('bridge', 'b0b0'.repeat(16), { isDefault: true });
const host = builtInNetwork('host', 'a0a0'.repeat(16), '2026-01-01T00:00:00Z');
const none = builtInNetwork('none', 'c0c0'.repeat(16), '2026-01-01T00:00:00Z');
const front = network('front', '1234abcd'.repeat(8), { labels: { tier: 'web', team: 'a' } });
const back = network('back-end', '9876fedc'.repeat(8), { labels: { tier: 'db' }, created: '2026-03-01T00:00:00.000Z' });
const all = [bridge, host, none, front, back];
const inUse = (n: NetworkRecord) => n === front;

const list = (filters: Record<string, string[]>) => all.filter(networkListFilter(filters, inUse)).map((n) => n.name);
const prune = (filters: Record<string, string[]>, now = new Date('2026-04-01T00:00:00Z')) => [front, back].filter(networkPruneFilter(filters, now)).map((n) => n.name);

describe('networkListFilter', () => {
  it('lists everything without filters', () => {
    expect(list({})).toEqual(['bridge', 'host', 'none', 'front', 'back-end']);
  });

  it('matches driver and scope exactly, name and id anywhere in the value, any of several values', () => {
    expect(list({ driver: ['bridge'] })).toEqual(['bridge', 'front', 'back-end']);
    expect(list({ driver: ['null', 'host'] })).toEqual(['host', 'none']);
    expect(list({ driver: ['bridg'] })).toEqual([]);
    expect(list({ name: ['ne'] })).toEqual(['none']);
    expect(list({ name: ['end', 'fro'] })).toEqual(['front', 'back-end']);
    expect(list({ id: ['1234ab'] })).toEqual(['front']);
    expect(list({ id: ['cd12'] })).toEqual(['front']);
    expect(list({ scope: ['local'] })).toHaveLength(5);
    expect(list({ scope: ['swarm'] })).toEqual([]);
  });

  it('matches labels by key and by key=value, all of them', () => {
    expect(list({ label: ['tier'] })).toEqual(['front', 'back-end']);
    expect(list({ label: ['tier=db'] })).toEqual(['back-end']);
    expect(list({ label: ['tier', 'team=a'] })).toEqual(['front']);
  });

  it('tells built-in networks (bridge, host, none) from custom ones', () => {
    expect(list({ type: ['builtin'] })).toEqual(['bridge', 'host', 'none']);
    expect(list({ type: ['custom'] })).toEqual(['front', 'back-end']);
    expect(list({ type: ['custom', 'builtin'] })).toHaveLength(5);
    expect(() => list({ type: ['other'] })).toThrow(InvalidArgumentError);
    expect(() => list({ type: ['other'] })).toThrow("invalid filter: 'type'='other'");
  });

  it('dangling: custom networks no container uses; false gives the others', () => {
    expect(list({ dangling: ['true'] })).toEqual(['back-end']);
    expect(list({ dangling: ['1'] })).toEqual(['back-end']);
    expect(list({ dangling: ['false'] })).toEqual(['bridge', 'host', 'none', 'front']);
    expect(list({ dangling: ['0'] })).toEqual(['bridge', 'host', 'none', 'front']);
  });

  it("refuses a bad dangling value or more than one, in moby's words", () => {
    expect(() => list({ dangling: ['yes'] })).toThrow(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
    expect(() => list({ dangling: ['TRUE'] })).toThrow(InvalidArgumentError);
    expect(() => list({ dangling: ['true', 'false'] })).toThrow('got more than one value for filter key "dangling"');
  });

  it('refuses an unknown filter', () => {
    expect(() => list({ until: ['1h'] })).toThrow("invalid filter 'until'");
  });
});

describe('networkPruneFilter', () => {
  it('takes networks created before until, a duration ago or a time', () => {
    expect(prune({})).toEqual(['front', 'back-end']);
    expect(prune({ until: ['24h'] })).toEqual(['front', 'back-end']);
    expect(prune({ until: ['2026-02-01T00:00:00Z'] })).toEqual(['front']);
    expect(prune({ until: [String(Date.parse('2026-02-01T00:00:00Z') / 1000)] })).toEqual(['front']);
    expect(prune({ until: ['1000h'] })).toEqual(['front']);
    expect(() => prune({ until: ['soon'] })).toThrow("invalid filter 'until=soon'");
  });

  it('keeps to label and leaves out label!', () => {
    expect(prune({ label: ['tier=web'] })).toEqual(['front']);
    expect(prune({ 'label!': ['tier=web'] })).toEqual(['back-end']);
    expect(prune({ 'label!': ['team'] })).toEqual(['back-end']);
    expect(prune({ label: ['tier'], 'label!': ['tier=db'] })).toEqual(['front']);
  });

  it('refuses a filter prune does not know', () => {
    expect(() => prune({ dangling: ['true'] })).toThrow("invalid filter 'dangling'");
  });
});
