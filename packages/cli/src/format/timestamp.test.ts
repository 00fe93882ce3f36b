import { describe, expect, it } from 'vitest';
import { toApiTimestamp } from './timestamp.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

describe('toApiTimestamp', () => {
  it('counts durations back from now in whole seconds', () => {
    expect(toApiTimestamp('10m', NOW)).toBe(String(Date.parse('2026-01-01T00:00:00Z') / 1000));
    expect(toApiTimestamp('1m30s', NOW)).toBe(String(Date.parse('2026-01-01T00:08:30Z') / 1000));
  });

  it('passes unix timestamps through', () => {
    expect(toApiTimestamp('1767225600', NOW)).toBe('1767225600');
    expect(toApiTimestamp('1767225600.5', NOW)).toBe('1767225600.5');
    expect(toApiTimestamp('0', NOW)).toBe('0');
  });

  it('converts RFC 3339 times and dates', () => {
    expect(toApiTimestamp('2026-01-01T00:00:01.25Z', NOW)).toBe('1767225601.250000000');
    expect(toApiTimestamp('2026-01-01', NOW)).toBe('1767225600.000000000');
  });

  it('rejects anything else with docker message', () => {
    expect(() => toApiTimestamp('yesterday', NOW)).toThrow('failed to parse value as time or duration: "yesterday"');
  });
});
