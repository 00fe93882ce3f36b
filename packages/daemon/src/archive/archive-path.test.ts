import { describe, expect, it } from 'vitest';
import { baseName, containerArchivePath } from './archive-path.js';

describe('archive paths', () => {
  it.each([
    ['/d', '/d', 'd'],
    ['d', '/d', 'd'],
    ['/d/', '/d/', 'd'],
    ['/d/.', '/d/.', '.'],
    ['/d/./', '/d/./', '.'],
    ['/d//sub/../.', '/d/.', '.'],
    ['/link/..', '/', '/'],
    ['/d/..', '/', '/'],
    ['/', '/', '/'],
    ['/.', '/.', '.'],
    ['.', '/.', '.'],
    ['/../../f', '/f', 'f'],
  ])('reads %j as %j named %j', (path, absolute, name) => {
    expect(containerArchivePath(path)).toBe(absolute);
    expect(baseName(containerArchivePath(path))).toBe(name);
  });
});
