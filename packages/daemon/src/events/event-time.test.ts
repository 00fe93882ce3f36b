import { describe, expect, it } from 'vitest';
import { formatEventTime, parseEventTime } from './event-time.js';

describe('parseEventTime', () => {
  it('reads unix seconds with an optional fraction as nanoseconds', () => {
    expect(parseEventTime('1767225600')).toBe(1767225600 * 1e9);
    expect(parseEventTime('1767225600.5')).toBe(1767225600 * 1e9 + 500_000_000);
    expect(parseEventTime('1767225600.000000001')).toBe(1767225600 * 1e9 + 1);
  });

  it('reads RFC 3339 times', () => {
    expect(parseEventTime('2026-01-01T00:00:01Z')).toBe(Date.parse('2026-01-01T00:00:01Z') * 1e6);
  });

  it('treats absent as undefined and rejects garbage', () => {
    expect(parseEventTime(undefined)).toBeUndefined();
    expect(parseEventTime('')).toBeUndefined();
    expect(() => parseEventTime('soon')).toThrow('failed to parse value as time or duration: "soon"');
  });
});

describe('formatEventTime', () => {
  it('renders a time as RFC 3339', () => {
    expect(formatEventTime(Date.parse('2026-01-01T00:00:01Z') * 1e6)).toBe('2026-01-01T00:00:01.000Z');
  });

  // Found by the fuzz suite: `GET /events?until=-1&since=9223372036854775807` was a 500 "Invalid time value".
  it('renders a time past what a Date holds as unix seconds, without throwing', () => {
    const far = parseEventTime('9223372036854775807')!;
    expect(formatEventTime(far)).toBe(String(Math.trunc(far / 1e9)));
    expect(formatEventTime(parseEventTime('-9223372036854775807')!)).toMatch(/^-\d+$/);
  });
});
