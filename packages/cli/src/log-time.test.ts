import { describe, expect, it } from 'vitest';
import { apiLogTime } from './log-time.js';

describe('apiLogTime', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('passes Unix times on and turns RFC 3339 times into Unix seconds with nanoseconds', () => {
    expect(apiLogTime('1700000000.5', now)).toBe('1700000000.5');
    expect(apiLogTime('2026-01-01T11:00:00.250Z', now)).toBe(`${now / 1000 - 3600}.250000000`);
  });

  it('counts Go durations back from now', () => {
    expect(apiLogTime('1h30m', now)).toBe(`${now / 1000 - 5400}.000000000`);
    expect(apiLogTime('1500ms', now)).toBe(`${now / 1000 - 2}.500000000`);
  });

  it('rejects anything else', () => {
    expect(() => apiLogTime('soon', now)).toThrow('invalid value');
  });
});
