import { describe, expect, it } from 'vitest';
import { containsWildcards, globMatch } from './glob.js';

describe("globMatch (Go's filepath.Match)", () => {
  it.each([
    ['*.txt', 'a.txt', true],
    ['*.txt', 'dir/a.txt', false],
    ['*/a.txt', 'dir/a.txt', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['[^a-c]x', 'dx', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['*', '', true],
    ['a*b*c*d*e*f*g*h*i*j*k', 'a'.repeat(200), false],
    // Malformed patterns match nothing (moby ignores Match's error).
    ['[', '[', false],
    ['[]a]', ']', false],
    ['a\\', 'a', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(globMatch(pattern, name)).toBe(expected);
  });

  it('recognises wildcards as moby does, escapes included', () => {
    expect(containsWildcards('a*')).toBe(true);
    expect(containsWildcards('a[1]')).toBe(true);
    expect(containsWildcards('a\\*')).toBe(false);
    expect(containsWildcards('plain/path')).toBe(false);
  });
});
