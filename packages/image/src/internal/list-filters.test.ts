import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '@berth/reference';
import type { ImageRecord } from './image-views.js';
import { imageFilter, parseTimestamp } from './list-filters.js';

function record(created: string, labels: Record<string, string> = {}): ImageRecord {
  return {
    id: `sha256:${'a'.repeat(64)}`,
    config: { architecture: 'amd64', os: 'linux', created, config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [] } },
    chain: [],
    size: 0,
  };
}

const refs = (...names: string[]) => names.map(parseNormalizedNamed);
const never = () => 0;

describe('imageFilter', () => {
  it('matches dangling, labels and references as docker does', () => {
    const tagged = { record: record('2024-01-01T00:00:00Z', { a: '1', b: '' }), refs: refs('busybox:latest', 'example.com/team/app:v1') };
    const dangling = { record: record('2024-01-01T00:00:00Z'), refs: [] };
    expect(imageFilter({ dangling: ['true'] }, never)(dangling)).toBe(true);
    expect(imageFilter({ dangling: ['true'] }, never)(tagged)).toBe(false);
    expect(imageFilter({ label: ['a=1', 'b'] }, never)(tagged)).toBe(true);
    expect(imageFilter({ label: ['a=2'] }, never)(tagged)).toBe(false);
    expect(imageFilter({ 'label!': ['a'] }, never)(tagged)).toBe(false);
    expect(imageFilter({ reference: ['busy*'] }, never)(tagged)).toBe(true);
    expect(imageFilter({ reference: ['example.com/*/app:v?'] }, never)(tagged)).toBe(true);
    expect(imageFilter({ reference: ['*app'] }, never)(tagged)).toBe(false);
    expect(() => imageFilter({ color: ['red'] }, never)).toThrow("invalid filter 'color'");
  });

  it('compares creation times for before, since and until', () => {
    const image = { record: record('2024-06-01T00:00:00Z'), refs: [] };
    const at = (iso: string) => () => Date.parse(iso);
    expect(imageFilter({ before: ['x'] }, at('2024-07-01T00:00:00Z'))(image)).toBe(true);
    expect(imageFilter({ since: ['x'] }, at('2024-07-01T00:00:00Z'))(image)).toBe(false);
    expect(imageFilter({ until: ['2024-06-02T00:00:00Z'] }, never)(image)).toBe(true);
    expect(imageFilter({ until: ['24h'] }, never, Date.parse('2024-06-01T12:00:00Z'))(image)).toBe(false);
  });

  it('reads until as RFC 3339, Unix seconds or a duration', () => {
    expect(parseTimestamp('1700000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp('90m', 10_000_000)).toBe(10_000_000 - 5_400_000);
    expect(() => parseTimestamp('soon')).toThrow('failed to parse value as time or duration');
  });
});
