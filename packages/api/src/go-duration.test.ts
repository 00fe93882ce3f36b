import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

describe('Go durations', () => {
  it.each([
    ['0s', 0],
    ['1ns', 1],
    ['1.5µs', 1500],
    ['500ms', 500e6],
    ['1s', 1e9],
    ['30s', 30e9],
    ['1m30s', 90e9],
    ['1h0m0s', 3600e9],
    ['2h3m4.5s', 7384.5e9],
    ['-5s', -5e9],
  ])('formats %s as time.Duration.String()', (text, ns) => {
    expect(formatGoDuration(ns)).toBe(text);
  });

  it('parses what it formats', () => {
    for (const ns of [1, 1500, 500e6, 90e9, 7384.5e9]) expect(parseGoDuration(formatGoDuration(ns))).toBe(ns);
  });
});
