import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it('reads single and compound units', () => {
    expect(parseGoDuration('168h')).toBe(168 * 3_600_000);
    expect(parseGoDuration('1h30m')).toBe(90 * 60_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
  });

  it('refuses what Go refuses', () => {
    for (const value of ['', '10', 'h', '1d', '-1h', '1h ', '1hh']) expect(parseGoDuration(value), value).toBeUndefined();
  });
});
