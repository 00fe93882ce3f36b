import { describe, expect, it } from 'vitest';
import { pruneFilter } from './prune.js';
import type { ContainerRecord } from './record.js';
import { initialRunState } from './state.js';

const now = new Date('2026-06-01T12:00:00Z');

function record(created: string, labels: Record<string, string>, running = false): ContainerRecord {
  return {
    id: 'a'.repeat(64),
    name: '/x',
    created,
    imageRef: 'busybox',
    imageId: 'sha256:bb',
    imageChainId: null,
    path: 'true',
    args: [],
    config: { Labels: labels },
    hostConfig: {},
    state: { ...initialRunState(), running },
    restartCount: 0,
    manuallyStopped: false,
  };
}

describe('prune', () => {
  it('selects stopped containers created before until, with and without labels', () => {
    const old = record('2026-06-01T10:00:00Z', { keep: 'no' });
    const fresh = record('2026-06-01T11:59:00Z', {});
    const live = record('2026-06-01T10:00:00Z', {}, true);
    expect([old, fresh, live].filter(pruneFilter({}, now))).toEqual([old, fresh]);
    expect([old, fresh, live].filter(pruneFilter({ until: ['1h'] }, now))).toEqual([old]);
    expect([old, fresh].filter(pruneFilter({ label: ['keep=no'] }, now))).toEqual([old]);
    expect([old, fresh].filter(pruneFilter({ 'label!': ['keep'] }, now))).toEqual([fresh]);
    expect(() => pruneFilter({ name: ['x'] }, now)).toThrow("invalid filter 'name'");
  });
});
