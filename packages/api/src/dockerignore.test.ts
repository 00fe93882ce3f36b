import { describe, expect, test } from 'vitest';
import { dockerignoreMatcher } from './dockerignore.js';
import { InvalidArgumentError } from './errors.js';

// moby/patternmatcher TestMatches (MatchesOrParentMatches): [pattern, path, ignored].
const single: [string, string, boolean][] = [
  ['**', 'file', true],
  ['**', 'file/', true],
  ['**/', 'file', true],
  ['**/', 'file/', true],
  ['**', 'dir/file', true],
  ['**/', 'dir/file', true],
  ['**', 'dir/file/', true],
  ['**/', 'dir/file/', true],
  ['**/**', 'dir/file', true],
  ['**/**', 'dir/file/', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/file/', true],
  ['dir/**', 'dir/dir2/file', true],
  ['dir/**', 'dir/dir2/file/', true],
  ['**/dir', 'dir', true],
  ['**/dir', 'dir/file', true],
  ['**/dir2/*', 'dir/dir2/file', true],
  ['**/dir2/*', 'dir/dir2/file/', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file/', true],
  ['**file', 'file', true],
  ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true],
  ['**file', 'dir/dir/file', true],
  ['**/file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt', 'dir/dir/file.txt', true],
  ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['a\\\\', 'a\\', true],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def', true],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  ['a(b)c/def', 'a(b)c/def', true],
  ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['a\\*b', 'a*b', true],
  // `**` then literal text is a plain suffix in moby (dockerd's classic builder left `xfoo` out of the context).
  ['**foo', 'xfoo', true],
  ['**foo', 'dir/xfoo', true],
  ['**foo/bar', 'xfoo/bar', true],
  ['**foo*', 'xfoo1', false],
  ['**foo', 'foox', false],
  // Case matters on Linux, and a regexp character is literal.
  ['Dockerfile', 'dockerfile', false],
  ['a+b', 'aab', false],
  ['foo|bar', 'bar', false],
  // Leading `/` and `./` are cleaned from patterns, and a trailing `/` too.
  ['/secret', 'secret', true],
  ['./secret', 'secret', true],
  ['secret/', 'secret/key', true],
  ['a/../b', 'b', true],
];

const multi: [string[], string, boolean][] = [
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  // The last matching pattern wins.
  [['*.md', '!README.md'], 'README.md', false],
  [['*.md', '!README.md'], 'CHANGES.md', true],
  [['!README.md', '*.md'], 'README.md', true],
  // A directory excluded excludes its contents.
  [['node_modules'], 'node_modules/x/index.js', true],
];

describe('dockerignoreMatcher', () => {
  test.each(single)('pattern %j, path %j → ignored %s', (pattern, path, ignored) => {
    expect(dockerignoreMatcher(pattern).ignores(path)).toBe(ignored);
  });

  test.each(multi)('patterns %j, path %j → ignored %s', (patterns, path, ignored) => {
    expect(dockerignoreMatcher(patterns.join('\n')).ignores(path)).toBe(ignored);
  });

  test('comments, blank lines, CRLF, a BOM and blanks around patterns and after `!`', () => {
    const matcher = dockerignoreMatcher('\ufeff# a comment\r\n\r\n  *.log  \r\n!  keep.log\r\n #not-a-comment\n');
    expect(matcher.ignores('x.log')).toBe(true);
    expect(matcher.ignores('keep.log')).toBe(false);
    expect(matcher.ignores('# a comment')).toBe(false);
    expect(matcher.ignores('#not-a-comment')).toBe(true);
  });

  test('a lone `!` is refused with moby\'s message', () => {
    expect(() => dockerignoreMatcher('a\n!\n')).toThrow(InvalidArgumentError);
    expect(() => dockerignoreMatcher('!')).toThrow('illegal exclusion pattern: "!"');
  });

  test('no patterns ignore nothing', () => {
    expect(dockerignoreMatcher('').ignores('Dockerfile')).toBe(false);
  });

  test.each([
    [['dir', '!dir/keep'], 'dir', true],
    [['dir', '!dir/sub/keep'], 'dir/sub', true],
    [['dir', '!dir/keep'], 'other', false],
    [['dir'], 'dir', false],
    // Docker only looks at the exception's text: one that starts elsewhere never re-includes.
    [['dir', '!**/keep'], 'dir', false],
    [['dir', '!dirt/keep'], 'dir', false],
  ] as [string[], string, boolean][])('patterns %j: mayReinclude(%j) is %s', (patterns, dir, may) => {
    expect(dockerignoreMatcher(patterns.join('\n')).mayReinclude(dir)).toBe(may);
  });

  test('a file under an excluded directory comes back through an exception', () => {
    const matcher = dockerignoreMatcher('dir\n!dir/keep\n');
    expect(matcher.ignores('dir/other')).toBe(true);
    expect(matcher.ignores('dir/keep')).toBe(false);
  });
});
