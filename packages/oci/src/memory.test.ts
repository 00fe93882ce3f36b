import { InvalidArgumentError } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { parseMemoryString } from './memory.js';

describe('parseMemoryString', () => {
  it.each([
    ['512', 512],
    ['64m', 64 * 1024 * 1024],
    ['64M', 64 * 1024 * 1024],
    ['1g', 1024 ** 3],
    ['1.5k', 1536],
    ['2GiB', 2 * 1024 ** 3],
    ['10 mb', 10 * 1024 ** 2],
  ])('%s', (text, bytes) => {
    expect(parseMemoryString(text)).toBe(bytes);
  });

  it('rejects garbage', () => {
    expect(() => parseMemoryString('lots')).toThrow(new InvalidArgumentError("invalid size: 'lots'"));
    expect(() => parseMemoryString('-1m')).toThrow(InvalidArgumentError);
  });
});
