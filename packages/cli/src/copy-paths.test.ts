import { describe, expect, it } from 'vitest';
import { assertsDirectory, goBase, goClean, prepareArchiveCopy, preserveTrailingDotOrSeparator, rebaseEntry, rebaseName, splitCopyArg, splitPathDirEntry } from './copy-paths.js';

describe('docker cp paths', () => {
  it('splits CONTAINER:PATH, keeping absolute, colon-less and dot-led paths local', () => {
    expect(splitCopyArg('web:/etc/hosts')).toEqual({ container: 'web', path: '/etc/hosts' });
    expect(splitCopyArg('/abs:path')).toEqual({ container: '', path: '/abs:path' });
    expect(splitCopyArg('./file:name.txt')).toEqual({ container: '', path: './file:name.txt' });
    expect(splitCopyArg('plain')).toEqual({ container: '', path: 'plain' });
    expect(splitCopyArg('-')).toEqual({ container: '', path: '-' });
  });

  it("cleans, splits and keeps trailing / and /. as Go's filepath and moby's archive do", () => {
    expect([goClean(''), goClean('/a/b/'), goClean('a//b/./c/..')]).toEqual(['.', '/a/b', 'a/b']);
    expect([goBase(''), goBase('/'), goBase('/a/b/')]).toEqual(['.', '/', 'b']);
    expect(splitPathDirEntry('/src/dir/')).toEqual(['/src', 'dir']);
    expect(splitPathDirEntry('/src/dir/.')).toEqual(['/src/dir', '.']);
    expect(preserveTrailingDotOrSeparator('/w/dir', 'dir/.')).toBe('/w/dir/.');
    expect(preserveTrailingDotOrSeparator('/w/dir', 'dir/')).toBe('/w/dir/');
    expect([assertsDirectory('/x/'), assertsDirectory('/x/.'), assertsDirectory('/x')]).toEqual([true, true, false]);
    expect(rebaseName('/src/link', '/src/a')).toEqual({ path: '/src/a', rebaseName: 'link' });
  });

  it('prepares the copy as PrepareArchiveCopy: into a directory as is, elsewhere renamed to the destination', () => {
    const file = { path: '/src/a', exists: true, isDir: false };
    const dir = { path: '/src/d', exists: true, isDir: true };
    expect(prepareArchiveCopy(file, { path: '/dst', exists: true, isDir: true })).toEqual({ dir: '/dst' });
    expect(prepareArchiveCopy(file, { path: '/dst/b', exists: true, isDir: false })).toEqual({ dir: '/dst', rebase: { from: 'a', to: 'b' } });
    expect(prepareArchiveCopy(dir, { path: '/dst/new', exists: false, isDir: false })).toEqual({ dir: '/dst', rebase: { from: 'd', to: 'new' } });
    expect(prepareArchiveCopy({ ...dir, path: '/src/d/.' }, { path: '/dst/new', exists: false, isDir: false })).toEqual({ dir: '/dst', rebase: { from: '.', to: 'new' } });
    expect(prepareArchiveCopy({ ...file, rebaseName: 'link' }, { path: '/dst/b', exists: false, isDir: false })).toEqual({ dir: '/dst', rebase: { from: 'link', to: 'b' } });
    expect(() => prepareArchiveCopy(dir, { path: '/dst/b', exists: true, isDir: false })).toThrow('cannot copy directory');
    expect(() => prepareArchiveCopy(file, { path: '/dst/none/', exists: false, isDir: false })).toThrow('no such directory');
  });

  it('renames the first occurrence of the base in entry names', () => {
    expect(rebaseEntry('d/sub/f', { from: 'd', to: 'new' })).toBe('new/sub/f');
    expect(rebaseEntry('./f', { from: '.', to: 'new' })).toBe('new/f');
    expect(rebaseEntry('same', undefined)).toBe('same');
  });
});
