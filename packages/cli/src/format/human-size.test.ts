import { describe, expect, it } from 'vitest';
import { formatGoG } from './go-float.js';
import { bytesSize, humanSize } from './human-size.js';

describe('formatGoG', () => {
  it.each([
    [4.26, 3, '4.26'],
    [4, 3, '4'],
    [4.2, 3, '4.2'],
    [120, 3, '120'],
    [999.999, 3, '1e+03'],
    [1.2345, 3, '1.23'],
    [0.5, 3, '0.5'],
    [0.0000123, 3, '1.23e-05'],
    [7.7634, 4, '7.763'],
    [0, 3, '0'],
  ])('%s with %d digits is %s', (value, precision, expected) => {
    expect(formatGoG(value, precision)).toBe(expected);
  });
});

describe('humanSize', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [4_261_000, '4.26MB'],
    [1_240_000, '1.24MB'],
    [4_400_000, '4.4MB'],
    [77_800_000, '77.8MB'],
    [133_000_000, '133MB'],
    [1_500_000_000, '1.5GB'],
    [999_999, '1e+03kB'],
  ])('%d bytes is %s', (bytes, expected) => {
    expect(humanSize(bytes)).toBe(expected);
  });
});

describe('bytesSize', () => {
  it('uses binary units with four digits', () => {
    expect(bytesSize(8_336_236_544)).toBe('7.764GiB');
    expect(bytesSize(1024)).toBe('1KiB');
    expect(bytesSize(512)).toBe('512B');
  });
});
