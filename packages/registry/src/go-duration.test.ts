import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['250us', 0.25],
  ])('reads %s', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '10', 's', '1d', '-5s', '5 s', '1h-'])('refuses %j', (text) => expect(parseGoDuration(text)).toBeUndefined());
});
