import { describe, expect, it } from 'vitest';
import { dockerLogTimestamp, parseLogTail, parseLogTimeBound } from './log-query.js';

describe('log query values', () => {
  it('parses Unix seconds with a fraction, 0 meaning no bound', () => {
    expect(parseLogTimeBound('1700000000.5', 'since')).toEqual(new Date(1_700_000_000_500));
    expect(parseLogTimeBound('1700000000', 'since')).toEqual(new Date(1_700_000_000_000));
    expect(parseLogTimeBound('0', 'since')).toBeUndefined();
    expect(parseLogTimeBound(undefined, 'since')).toBeUndefined();
    expect(() => parseLogTimeBound('yesterday', 'since')).toThrow('invalid value for since');
  });

  it('reads tail as a count or "all"', () => {
    expect(parseLogTail('5')).toBe(5);
    expect(parseLogTail('all')).toBeUndefined();
    expect(parseLogTail('-1')).toBeUndefined();
    expect(() => parseLogTail('x')).toThrow();
  });

  it("prints conmon's timestamps as UTC with nine fractional digits", () => {
    const stamp = '2026-11-28T09:21:48.1234+02:00';
    expect(dockerLogTimestamp(stamp, new Date(stamp))).toBe('2026-11-28T07:21:48.123400000Z');
  });
});
