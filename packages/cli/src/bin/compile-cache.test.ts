import { describe, expect, it } from 'vitest';
import { compileCacheDir } from './compile-cache.js';

describe('compileCacheDir', () => {
  it("is under the user's cache directory: $XDG_CACHE_HOME, else ~/.cache", () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/berth/compile-cache');
    expect(compileCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/berth/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: '', HOME: '/root' })).toBe('/root/.cache/berth/compile-cache');
  });

  it('is none without an absolute home, rather than a directory relative to where berth runs', () => {
    expect(compileCacheDir({})).toBeUndefined();
    expect(compileCacheDir({ XDG_CACHE_HOME: 'cache', HOME: 'home' })).toBeUndefined();
  });
});
