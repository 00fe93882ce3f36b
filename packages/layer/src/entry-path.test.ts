import { describe, expect, it } from 'vitest';
import { checkSymlinkTarget, classifyWhiteout, normaliseEntryName, normaliseHardlinkTarget } from './entry-path.js';
import { UnsafeArchiveEntryError } from './errors.js';

describe('normaliseEntryName', () => {
  it.each([
    ['etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['etc/', 'etc'],
    ['a//b/./c', 'a/b/c'],
    ['a/../b', 'b'],
    ['./', ''],
    ['.', ''],
  ])('%s -> %s', (name, expected) => {
    expect(normaliseEntryName(name)).toBe(expected);
  });

  it.each([
    ['../escape', 'path escapes the layer root'],
    ['a/../../escape', 'path escapes the layer root'],
    ['..', 'path escapes the layer root'],
    ['/abs/path', 'absolute paths are not allowed'],
    ['', 'empty or malformed name'],
  ])('rejects %j', (name, reason) => {
    expect(() => normaliseEntryName(name)).toThrow(new UnsafeArchiveEntryError(name, reason));
  });
});

describe('checkSymlinkTarget', () => {
  it.each([
    ['bin/sh', '/bin/busybox'],
    ['usr/lib/x', '../../bin/x'],
    ['a', 'b'],
    ['a/b', '..'],
  ])('accepts %s -> %s', (path, target) => {
    expect(() => checkSymlinkTarget(path, path, target)).not.toThrow();
  });

  it.each([
    ['a', '..'],
    ['usr/lib/x', '../../../etc/passwd'],
    ['a', 'b/../../c'],
    ['a', ''],
  ])('rejects %s -> %j', (path, target) => {
    expect(() => checkSymlinkTarget(path, path, target)).toThrow(UnsafeArchiveEntryError);
  });
});

describe('normaliseHardlinkTarget', () => {
  it('accepts a path inside the archive', () => {
    expect(normaliseHardlinkTarget('x', './bin/tool')).toBe('bin/tool');
  });
  it.each(['/etc/passwd', '../outside', '', '.'])('rejects %j', (target) => {
    expect(() => normaliseHardlinkTarget('x', target)).toThrow(/is outside the layer/);
  });
});

describe('classifyWhiteout', () => {
  it.each([
    ['etc/passwd', { kind: 'none' }],
    ['etc/.wh.passwd', { kind: 'whiteout', path: 'etc/passwd' }],
    ['.wh.top', { kind: 'whiteout', path: 'top' }],
    ['var/.wh..wh..opq', { kind: 'opaque', dir: 'var' }],
    ['.wh..wh..opq', { kind: 'opaque', dir: '' }],
    ['.wh..wh.plnk', { kind: 'metadata' }],
    ['.wh..wh.plnk/123.456', { kind: 'metadata' }],
  ])('%s', (path, expected) => {
    expect(classifyWhiteout(path, path)).toEqual(expected);
  });

  it.each(['.wh.', '.wh..', 'a/.wh...'])('rejects %j', (path) => {
    expect(() => classifyWhiteout(path, path)).toThrow(/whiteout does not name an entry/);
  });
});
