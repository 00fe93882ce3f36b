import { describe, expect, it } from 'vitest';
import { matchesLabels, parseUntil } from './filter-values.js';

describe('parseUntil', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('reads durations, timestamps and dates', () => {
    expect(parseUntil('1h30m', now)).toBe(now.getTime() - 90 * 60_000);
    expect(parseUntil('1700000000', now)).toBe(1_700_000_000_000);
    expect(parseUntil('2026-05-01T00:00:00Z', now)).toBe(Date.parse('2026-05-01T00:00:00Z'));
    expect(() => parseUntil('someday', now)).toThrow("invalid filter 'until=someday'");
  });
});

describe('matchesLabels', () => {
  it('checks keys and key=value pairs', () => {
    expect(matchesLabels({ a: '1' }, ['a', 'a=1'])).toBe(true);
    expect(matchesLabels({ a: '1' }, ['a=2'])).toBe(false);
    expect(matchesLabels({}, ['toString'])).toBe(false);
  });
});
