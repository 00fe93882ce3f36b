import { describe, expect, it } from 'vitest';
import { parseEventTime } from './event-time.js';

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

  // Found by the fuzz suite: `GET /events?until=-1&since=9223372036854775807` was a 500 "Invalid time value".
  it('reads times past what a Date holds without throwing', () => {
    expect(parseEventTime('9223372036854775807')).toBeGreaterThan(parseEventTime('-1')!);
  });
});
