import { NotFoundError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { matchesLabels } from '@berth/api';
import { containerListFilter, type FilterContext } from './list-filters.js';
import type { ContainerRecord } from './record.js';
import { initialRunState } from './state.js';

function record(id: string, name: string, created: string, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: id.padEnd(64, '0'),
    name: `/${name}`,
    created,
    imageRef: 'busybox',
    imageId: 'sha256:bb',
    imageChainId: null,
    path: 'true',
    args: [],
    config: { Labels: {} },
    hostConfig: {},
    state: initialRunState(),
    restartCount: 0,
    manuallyStopped: false,
    ...extra,
  };
}

const running = { ...initialRunState(), running: true, pid: 10, startedAt: '2026-01-01T00:00:00Z' };
const exited = (code: number) => ({ ...initialRunState(), exitCode: code, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:00Z' });

const a = record('aaa', 'alpha', '2026-01-01T00:00:00Z', { config: { Labels: { team: 'x', flag: '' } }, state: exited(3) });
const b = record('bbb', 'beta', '2026-01-02T00:00:00Z', {
  state: running,
  imageRef: 'other',
  imageId: 'sha256:cc',
  health: { Status: 'healthy', FailingStreak: 0, Log: [] },
});
const c = record('ccc', 'gamma', '2026-01-03T00:00:00Z', { config: { Labels: { team: 'y' } } });
const all = [a, b, c];

const ctx: FilterContext = {
  find: (ref) => {
    const found = all.find((r) => r.name === `/${ref}` || r.id.startsWith(ref));
    if (!found) throw new NotFoundError(`No such container: ${ref}`);
    return found;
  },
  imageIds: (ref) => (ref === 'busybox' ? ['sha256:bb'] : []),
  isRemoving: () => false,
};

const names = (filters: Record<string, string[]>) => all.filter(containerListFilter(filters, ctx).predicate).map((r) => r.name.slice(1));

describe('container list filters', () => {
  it('matches labels by key or key=value, all of them', () => {
    expect(matchesLabels({ a: '1', b: '' }, ['a', 'b'])).toBe(true);
    expect(matchesLabels({ a: '1' }, ['a=2'])).toBe(false);
  });

  it('filters by each key, values of one key ORed, keys ANDed', () => {
    expect(names({ status: ['exited', 'created'] })).toEqual(['alpha', 'gamma']);
    expect(names({ status: ['running'] })).toEqual(['beta']);
    expect(names({ label: ['team'] })).toEqual(['alpha', 'gamma']);
    expect(names({ label: ['team=x', 'flag'] })).toEqual(['alpha']);
    expect(names({ name: ['^al', 'mma$'] })).toEqual(['alpha', 'gamma']);
    expect(names({ id: ['bb'] })).toEqual(['beta']);
    expect(names({ exited: ['3'] })).toEqual(['alpha']);
    expect(names({ exited: ['0'] })).toEqual([]);
    expect(names({ ancestor: ['busybox'] })).toEqual(['alpha', 'gamma']);
    expect(names({ before: ['beta'] })).toEqual(['alpha']);
    expect(names({ since: ['alpha'] })).toEqual(['beta', 'gamma']);
    expect(names({ since: ['alpha'], label: ['team'] })).toEqual(['gamma']);
    expect(names({ health: ['healthy'] })).toEqual(['beta']);
    expect(names({ health: ['none'] })).toEqual(['alpha', 'gamma']);
  });

  it('a status filter lists stopped containers without `all`', () => {
    expect(containerListFilter({ status: ['exited'] }, ctx).impliesAll).toBe(true);
    expect(containerListFilter({ label: ['x'] }, ctx).impliesAll).toBe(false);
  });

  it('rejects unknown filters and values with Docker messages', () => {
    expect(() => containerListFilter({ colour: ['red'] }, ctx)).toThrow("invalid filter 'colour'");
    expect(() => containerListFilter({ status: ['sleepy'] }, ctx)).toThrow("invalid filter 'status=sleepy'");
    expect(() => containerListFilter({ exited: ['x'] }, ctx)).toThrow("invalid filter 'exited=x'");
    expect(() => containerListFilter({ health: ['fine'] }, ctx)).toThrow('Unrecognised filter value for health: fine');
    expect(() => containerListFilter({ before: ['nope'] }, ctx)).toThrow('No such container: nope');
  });
});
