import { describe, expect, it } from 'vitest';
import { parseIntFlag, parseNanoCpus, parseRamBytes, parseRestartFlag } from './resource-flags.js';

describe('resource flags', () => {
  it('parses memory sizes in binary units as docker does', () => {
    expect(parseRamBytes('32m')).toBe(32 * 1024 * 1024);
    expect(parseRamBytes('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseRamBytes('64MB')).toBe(64 * 1024 * 1024);
    expect(parseRamBytes('4096')).toBe(4096);
    expect(parseRamBytes('-1')).toBe(-1);
    expect(() => parseRamBytes('lots')).toThrow("invalid size: 'lots'");
  });

  it('turns --cpus into NanoCpus', () => {
    expect(parseNanoCpus('0.5')).toBe(500_000_000);
    expect(() => parseNanoCpus('half')).toThrow();
  });

  it('splits restart policies', () => {
    expect(parseRestartFlag('on-failure:3')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(parseRestartFlag('always')).toEqual({ Name: 'always', MaximumRetryCount: 0 });
  });

  it('parses integer flags', () => {
    expect(parseIntFlag('20', 'pids-limit')).toBe(20);
    expect(() => parseIntFlag('x', 'pids-limit')).toThrow('invalid argument "x" for "pids-limit" flag');
  });
});
