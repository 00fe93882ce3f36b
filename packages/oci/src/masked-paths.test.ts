import { describe, expect, it } from 'vitest';
import { parseCpuList } from './masked-paths.js';

describe('parseCpuList', () => {
  it('expands ranges', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('0')).toEqual([0]);
  });
});
