import { readdirSync, readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@berth/api';
import { describe, expect, test } from 'vitest';
import type { Command } from './commands.js';
import { DockerfileParseError } from './errors.js';
import { parseDockerfile, parseTrigger } from './parse.js';

const testfiles = new URL('./test-support/testfiles/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, testfiles), 'utf8');

/** The first stage's commands of `FROM scratch` followed by `body`. */
function commands(body: string): Command[] {
  return parseDockerfile(`FROM scratch\n${body}`).stages[0]!.commands;
}

function only(body: string): Command {
  const list = commands(body);
  expect(list).toHaveLength(1);
  return list[0]!;
}

function parseError(text: string): DockerfileParseError {
  try {
    parseDockerfile(text);
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileParseError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as DockerfileParseError;
  }
  throw new Error('parsed without error');
}

describe('BuildKit parser golden files (frontend/dockerfile/parser/testfiles)', () => {
  test.each(readdirSync(testfiles))('%s', (name) => {
    const text = read(`${name}/Dockerfile`);
    const expected = JSON.parse(read(`${name}/expected.json`)) as { error?: string };
    if (expected.error) expect(() => parseDockerfile(text)).toThrow(expected.error);
    else expect(parseDockerfile(text)).toEqual(expected);
  });

  test.each([
    ['empty_dockerfile', 'the Dockerfile (Dockerfile) cannot be empty'],
    ['env_no_value', 'failed to parse Dockerfile: ENV must have two arguments'],
    ['only_comments', 'failed to parse Dockerfile: file with no instructions'],
    ['shykes-nested-json', 'failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only'],
  ])('negative: %s → %s', (name, message) => {
    const text = readFileSync(new URL(`./test-support/testfiles-negative/${name}/Dockerfile`, import.meta.url), 'utf8');
    expect(parseError(text).message).toBe(message);
  });
});

describe('errors in Docker\'s words, naming the line', () => {
  test.each([
    ['FROM scratch\nRUN true\nFOOBAR x\n', 'dockerfile parse error on line 3: unknown instruction: FOOBAR', 3],
    ['FROM scratch\nFRUM x\n', 'dockerfile parse error on line 2: unknown instruction: FRUM (did you mean FROM?)', 2],
    ['FROM scratch\ncopy-x a b\n', 'dockerfile parse error on line 2: unknown instruction: copy-x (did you mean copy?)', 2],
    ['RUN true\nFROM scratch\n', 'no build stage in current context', 1],
    ['FROM\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments', 1],
    ['FROM a b\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments', 1],
    ['FROM a AS 1st\n', 'dockerfile parse error on line 1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols', 1],
    ['FROM a AS b$c\n', 'dockerfile parse error on line 1: invalid name for build stage: "b$c", name can\'t start with a number or contain symbols', 1],
    ['FROM --foo=x a\n', 'dockerfile parse error on line 1: unknown flag: --foo', 1],
    ['FROM --platfrom=x a\n', 'dockerfile parse error on line 1: unknown flag: --platfrom (did you mean platform?)', 1],
    ['FROM --platform a\n', 'dockerfile parse error on line 1: missing a value on flag: --platform', 1],
    ['FROM a\nENV =x\n', 'dockerfile parse error on line 2: ENV names can not be blank', 2],
    ['FROM a\nENV\n', 'dockerfile parse error on line 2: ENV requires at least one argument', 2],
    ['FROM a\nENV a=b c\n', 'failed to parse Dockerfile: Syntax error - can\'t find = in "c". Must be of the form: name=value', 2],
    ['FROM a\nLABEL x\n', 'failed to parse Dockerfile: LABEL must have two arguments', 2],
    ['FROM a\nARG =x\n', 'dockerfile parse error on line 2: ARG names can not be blank', 2],
    ['FROM a\nARG\n', 'dockerfile parse error on line 2: ARG requires at least one argument', 2],
    ['FROM a\nCOPY x\n', 'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined', 2],
    ['FROM a\nADD\n', 'dockerfile parse error on line 2: ADD requires at least two arguments, but only one was provided. Destination could not be determined', 2],
    ['FROM a\nCOPY a <<EOF\nx\nEOF\n', 'dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination', 2],
    ['FROM a\nCOPY --from=x --from=y a b\n', 'dockerfile parse error on line 2: duplicate flag specified: --from', 2],
    ['FROM a\nCOPY --link=maybe a b\n', 'dockerfile parse error on line 2: expecting boolean value for flag --link, not: maybe', 2],
    ['FROM a\nCOPY --form=x a b\n', 'dockerfile parse error on line 2: unknown flag: --form (did you mean from?)', 2],
    ['FROM a\nWORKDIR\n', 'dockerfile parse error on line 2: WORKDIR requires exactly one argument', 2],
    ['FROM a\nUSER\n', 'dockerfile parse error on line 2: USER requires exactly one argument', 2],
    ['FROM a\nSTOPSIGNAL\n', 'dockerfile parse error on line 2: STOPSIGNAL requires exactly one argument', 2],
    ['FROM a\nMAINTAINER\n', 'dockerfile parse error on line 2: MAINTAINER requires exactly one argument', 2],
    ['FROM a\nEXPOSE\n', 'dockerfile parse error on line 2: EXPOSE requires at least one argument', 2],
    ['FROM a\nVOLUME\n', 'dockerfile parse error on line 2: VOLUME requires at least one argument', 2],
    ['FROM a\nVOLUME [""]\n', 'dockerfile parse error on line 2: VOLUME specified can not be an empty string', 2],
    ['FROM a\nSHELL\n', 'dockerfile parse error on line 2: SHELL requires at least one argument', 2],
    ['FROM a\nSHELL bash -c\n', 'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form', 2],
    ['FROM a\nCMD ["a", 1]\n', 'failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only', 2],
    ['FROM a\nONBUILD\n', 'dockerfile parse error on line 2: ONBUILD requires at least one argument', 2],
    ['FROM a\nONBUILD ONBUILD RUN x\n', 'dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', 2],
    ['FROM a\nONBUILD FROM b\n', 'dockerfile parse error on line 2: FROM isn\'t allowed as an ONBUILD trigger', 2],
    ['FROM a\nonbuild maintainer me\n', 'dockerfile parse error on line 2: MAINTAINER isn\'t allowed as an ONBUILD trigger', 2],
    ['FROM a\nHEALTHCHECK\n', 'dockerfile parse error on line 2: HEALTHCHECK requires at least one argument', 2],
    ['FROM a\nHEALTHCHECK NONE x\n', 'dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments', 2],
    ['FROM a\nHEALTHCHECK CMD\n', 'dockerfile parse error on line 2: Missing command after HEALTHCHECK CMD', 2],
    ['FROM a\nHEALTHCHECK CONNECT TCP 7000\n', 'dockerfile parse error on line 2: Unknown type "CONNECT" in HEALTHCHECK (try CMD)', 2],
    ['FROM a\nHEALTHCHECK --interval=5x CMD true\n', 'dockerfile parse error on line 2: time: invalid duration "5x"', 2],
    ['FROM a\nHEALTHCHECK --interval=5 CMD true\n', 'dockerfile parse error on line 2: time: invalid duration "5"', 2],
    ['FROM a\nHEALTHCHECK --timeout=1us CMD true\n', 'dockerfile parse error on line 2: Interval "timeout" cannot be less than 1ms', 2],
    ['FROM a\nHEALTHCHECK --retries=-1 CMD true\n', 'dockerfile parse error on line 2: --retries cannot be negative (-1)', 2],
    ['FROM a\nHEALTHCHECK --retries=x CMD true\n', 'dockerfile parse error on line 2: strconv.ParseInt: parsing "x": invalid syntax', 2],
    ['FROM a\nHEALTHCHECK --intervall=1s CMD true\n', 'dockerfile parse error on line 2: unknown flag: --intervall (did you mean interval?)', 2],
    ['FROM a\nRUN --network=bridge true\n', 'dockerfile parse error on line 2: invalid network mode "bridge"', 2],
    ['FROM a\nENV --x=1 a=b\n', 'dockerfile parse error on line 2: unknown flag: --x', 2],
    ['FROM a\nRUN <<EOF\nnever ends\n', 'failed to parse Dockerfile: unterminated heredoc', 2],
    ['# escape=x\nFROM a\n', "failed to parse Dockerfile: invalid escape token 'x' does not match ` or \\", 0],
    ['# escape=`\n# escape=\\\nFROM a\n', 'failed to parse Dockerfile: only one escape parser directive can be used', 1],
    ['\n\n# just a comment\n', 'failed to parse Dockerfile: file with no instructions', 3],
    ['', 'the Dockerfile (Dockerfile) cannot be empty', 0],
  ])('%j → %s', (text, message, line) => {
    const err = parseError(text);
    expect(err.message).toBe(message);
    expect(err.line).toBe(line);
  });

  test('the file name given names the file in whole-file errors', () => {
    expect(() => parseDockerfile('', 'build/Dockerfile.dev')).toThrow('the Dockerfile (build/Dockerfile.dev) cannot be empty');
    expect(() => parseDockerfile('# x\n', 'Containerfile')).toThrow('failed to parse Containerfile: file with no instructions');
  });

  test('a syntax error anywhere comes before an instruction error earlier in the file, as Docker reads the file first', () => {
    expect(parseError('FROM a\nFOO\nCMD ["a", 1]\n').message).toBe(
      'failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only',
    );
  });

  test.each([
    ['RUN --mount=type=cache,target=/x true', 'mount'],
    ['RUN --security=insecure true', 'security'],
    ['RUN --device=/dev/fuse true', 'device'],
    ['COPY --parents a b', 'parents'],
    ['COPY --exclude=*.md a b', 'exclude'],
    ['ADD --checksum=sha256:0 a b', 'checksum'],
    ['ADD --keep-git-dir a b', 'keep-git-dir'],
    ['ADD --unpack a b', 'unpack'],
  ])('%s is refused: the classic builder has no --%s', (line, flag) => {
    expect(parseError(`FROM a\n${line}\n`).message).toBe(
      `dockerfile parse error on line 2: the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`,
    );
  });
});

describe('parser directives', () => {
  test('only at the top, keys lower-cased; the escape char changes continuation and escaping', () => {
    const file = parseDockerfile('# Syntax = docker/dockerfile:1\n#escape=`\n# check=skip=all\nFROM a\nRUN echo `\n  hi\n');
    expect(file.directives).toEqual({ syntax: 'docker/dockerfile:1', escape: '`', check: 'skip=all' });
    expect(file.escape).toBe('`');
    expect(file.stages[0]!.commands[0]).toMatchObject({ kind: 'RUN', args: ['echo   hi'], original: 'RUN echo   hi' });
  });

  test('a directive after a blank line, a comment or an instruction is a comment', () => {
    for (const text of ['\n# escape=`\nFROM a\n', '# hello\n# escape=`\nFROM a\n', 'FROM a\n# escape=`\n', '# unknown=x\n# escape=`\nFROM a\n']) {
      const file = parseDockerfile(text);
      expect(file.escape).toBe('\\');
      expect(file.directives.escape).toBeUndefined();
    }
  });

  test('a byte-order mark is skipped', () => {
    expect(parseDockerfile('\ufeff# escape=`\nFROM a\n').escape).toBe('`');
  });
});

describe('lines', () => {
  test('continuations join, comments and blank lines inside them are dropped, CRLF is accepted; original and line numbers follow', () => {
    const list = commands('RUN a \\\r\n# comment\r\n\r\n  b\r\n  ENV X=1\r\n');
    expect(list).toEqual([
      { kind: 'RUN', line: 2, original: 'RUN a   b', flags: {}, args: ['a   b'], prependShell: true, heredocs: [] },
      { kind: 'ENV', line: 6, original: 'ENV X=1', flags: {}, pairs: [{ key: 'X', value: '1' }] },
    ]);
  });

  test('an escaped escape char at the end does not continue the line', () => {
    expect(() => commands('RUN echo \\\\\nhi\n')).toThrow('dockerfile parse error on line 3: unknown instruction: hi');
  });

  test('instruction keywords are case-insensitive', () => {
    expect(only('run echo hi')).toMatchObject({ kind: 'RUN', original: 'run echo hi' });
  });
});

describe('original: the text of `Step N/M :` (as dockerd\'s classic builder printed it for this file)', () => {
  test('continuations joined, outer blanks trimmed; ONBUILD keeps the trigger with its trailing blanks', () => {
    const file = parseDockerfile(
      'ARG A=1\nFROM scratch\nENV X="a b" \\\n    Y=c\t  \nLABEL  l1="x y"   l2=z\nENV legacy  some "quoted" value  \nonbuild   RUN echo   hi  \nEXPOSE 80 53/udp 443\nHEALTHCHECK --interval=1m30s CMD true\n',
    );
    const stage = file.stages[0]!;
    expect([file.metaArgs[0]!.original, stage.original, ...stage.commands.map((command) => command.original)]).toEqual([
      'ARG A=1',
      'FROM scratch',
      'ENV X="a b"     Y=c',
      'LABEL  l1="x y"   l2=z',
      'ENV legacy  some "quoted" value',
      'onbuild   RUN echo   hi',
      'EXPOSE 80 53/udp 443',
      'HEALTHCHECK --interval=1m30s CMD true',
    ]);
    expect(stage.commands[3]).toMatchObject({ kind: 'ONBUILD', expression: 'RUN echo   hi  ' });
    expect(stage.commands[2]).toMatchObject({ kind: 'ENV', pairs: [{ key: 'legacy', value: 'some "quoted" value' }] });
  });
});

describe('FROM and stages', () => {
  test('platform flag, AS name lower-cased, meta ARGs before the first FROM', () => {
    const file = parseDockerfile('ARG BASE=busybox\nARG TAG\nFROM --platform=$BUILDPLATFORM ${BASE}:$TAG AS Build\nRUN make\nfrom scratch\nCOPY --from=build /out /\n');
    expect(file.metaArgs).toEqual([
      { kind: 'ARG', line: 1, original: 'ARG BASE=busybox', flags: {}, args: [{ key: 'BASE', value: 'busybox' }] },
      { kind: 'ARG', line: 2, original: 'ARG TAG', flags: {}, args: [{ key: 'TAG' }] },
    ]);
    expect(file.stages.map(({ commands: _, ...stage }) => stage)).toEqual([
      { line: 3, original: 'FROM --platform=$BUILDPLATFORM ${BASE}:$TAG AS Build', base: '${BASE}:$TAG', name: 'build', platform: '$BUILDPLATFORM' },
      { line: 5, original: 'from scratch', base: 'scratch' },
    ]);
    expect(file.stages[1]!.commands[0]).toMatchObject({ kind: 'COPY', flags: { from: 'build' }, sources: ['/out'], dest: '/' });
  });

  test('a file with only ARGs has no stages (the executor says no image was generated)', () => {
    expect(parseDockerfile('ARG A\n').stages).toEqual([]);
  });
});

describe('instructions', () => {
  test.each<[string, Partial<Command> & Record<string, unknown>]>([
    ['ENV A=1 B="two words" C=', { kind: 'ENV', pairs: [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }, { key: 'C', value: '' }] }],
    ['ENV PATH /usr/bin:$PATH  with spaces', { kind: 'ENV', pairs: [{ key: 'PATH', value: '/usr/bin:$PATH  with spaces' }] }],
    ['LABEL "com.example.a"="x y" b=c', { kind: 'LABEL', pairs: [{ key: '"com.example.a"', value: '"x y"' }, { key: 'b', value: 'c' }] }],
    ['ARG A B=2 C="x y"', { kind: 'ARG', args: [{ key: 'A' }, { key: 'B', value: '2' }, { key: 'C', value: '"x y"' }] }],
    ['RUN ["echo", "a b"]', { kind: 'RUN', args: ['echo', 'a b'], prependShell: false }],
    ['RUN --network=none echo "$HOME"', { kind: 'RUN', flags: { network: 'none' }, args: ['echo "$HOME"'], prependShell: true }],
    ['RUN [ "not json', { kind: 'RUN', args: ['[ "not json'], prependShell: true }],
    ['CMD ["a"]', { kind: 'CMD', args: ['a'], prependShell: false }],
    ['CMD', { kind: 'CMD', args: [], prependShell: true }],
    ['ENTRYPOINT []', { kind: 'ENTRYPOINT', args: [], prependShell: false }],
    ['SHELL ["/bin/bash", "-c"]', { kind: 'SHELL', shell: ['/bin/bash', '-c'] }],
    ['COPY --chown=1:1 --chmod=644 --link a "b c" /d/', { kind: 'COPY', flags: { chown: '1:1', chmod: '644', link: true }, sources: ['a', '"b', 'c"'], dest: '/d/' }],
    ['COPY --link=false a /', { kind: 'COPY', flags: {}, sources: ['a'], dest: '/' }],
    ['COPY --from="my stage" a /', { kind: 'COPY', flags: { from: 'my stage' }, sources: ['a'], dest: '/' }],
    ['COPY -- --weird /', { kind: 'COPY', flags: {}, sources: ['--weird'], dest: '/' }],
    ['ADD --chown=me https://example.com/x.tgz /', { kind: 'ADD', flags: { chown: 'me' }, sources: ['https://example.com/x.tgz'], dest: '/' }],
    ['EXPOSE 8080 53/udp 443', { kind: 'EXPOSE', ports: ['443', '53/udp', '8080'] }],
    ['VOLUME ["/a", "/b"]', { kind: 'VOLUME', volumes: ['/a', '/b'] }],
    ['VOLUME /a /b', { kind: 'VOLUME', volumes: ['/a', '/b'] }],
    ['USER app:app', { kind: 'USER', user: 'app:app' }],
    ['WORKDIR /a b', { kind: 'WORKDIR', path: '/a b' }],
    ['STOPSIGNAL SIGKILL', { kind: 'STOPSIGNAL', signal: 'SIGKILL' }],
    ['MAINTAINER Me <me@example.com>', { kind: 'MAINTAINER', maintainer: 'Me <me@example.com>' }],
    ['HEALTHCHECK NONE', { kind: 'HEALTHCHECK', none: true }],
    ['ONBUILD RUN echo   hi  ', { kind: 'ONBUILD', expression: 'RUN echo   hi  ', original: 'ONBUILD RUN echo   hi' }],
    ['onbuild  copy . /', { kind: 'ONBUILD', expression: 'copy . /' }],
  ])('%s', (line, expected) => {
    expect(only(line)).toMatchObject({ original: line.trim(), flags: {}, ...expected });
  });

  test('HEALTHCHECK CMD keeps its flags and parses them as Docker does', () => {
    expect(only('HEALTHCHECK --interval=1m30s --timeout=3s --start-period=0s --start-interval=500ms --retries=3 CMD curl -f http://localhost/')).toEqual({
      kind: 'HEALTHCHECK',
      line: 2,
      original: 'HEALTHCHECK --interval=1m30s --timeout=3s --start-period=0s --start-interval=500ms --retries=3 CMD curl -f http://localhost/',
      flags: { interval: '1m30s', timeout: '3s', 'start-period': '0s', 'start-interval': '500ms', retries: '3' },
      none: false,
      test: { args: ['curl -f http://localhost/'], prependShell: true, heredocs: [] },
      options: { interval: 90e9, timeout: 3e9, startPeriod: 0, startInterval: 500e6, retries: 3 },
    });
    expect(only('HEALTHCHECK cmd ["true"]')).toMatchObject({
      none: false,
      test: { args: ['true'], prependShell: false },
      options: { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 },
    });
  });
});

describe('heredocs (BuildKit TestParseExtractsHeredoc)', () => {
  test('bodies, delimiters, quoting and tab chomping', () => {
    const list = parseDockerfile(readFileSync(new URL('./test-support/heredocs.Dockerfile', import.meta.url), 'utf8')).stages[0]!.commands;
    const heredocs = list.map((command) => ('heredocs' in command ? command.heredocs : undefined));
    expect(heredocs).toEqual([
      undefined, // ENV NAME=me
      [], // RUN ls
      [{ name: 'EMPTY', content: '', expand: true }],
      [], // RUN "<<NOHEREDOC"
      [{ name: 'INDENT', content: '\tfoo\n\tbar\n', expand: true }],
      [{ name: 'UNINDENT', content: 'baz\nquux\n', expand: true }],
      [{ name: 'UNINDENT2', content: 'baz\nquux\n', expand: true }],
      [{ name: 'EXPAND', content: 'expand $NAME\n', expand: true }],
      [{ name: 'NOEXPAND', content: "don't expand $NAME\n", expand: false }],
      [{ name: 'COPY', content: 'echo hello world\necho foo bar\n', expand: true }],
      [{ name: 'COMMENT', content: '# internal comment\necho hello world\necho foo bar # trailing comment\n', expand: true }],
      [
        { name: 'FILE1', content: 'content 1\n', expand: true },
        { name: 'FILE2', content: 'content 2\n', expand: true },
      ],
      [{ name: 'EOF', content: '"foo"\n\'bar\'\n', expand: true }],
      [
        { name: 'X', content: 'Y\n', expand: true },
        { name: 'Y', content: 'X\n', expand: true },
      ],
      [{ name: 'COMPLEX', content: "print('hello world')\n", expand: true }],
      [{ name: 'file.txt', content: 'hello world\n', expand: true }],
      [{ name: 'eof', content: 'echo foo\n', expand: false }],
      [{ name: "eo'f", content: 'echo foo\n', expand: true }],
      [{ name: "eo'f", content: 'echo foo\n', expand: false }],
      [{ name: 'one two', content: 'echo bar\n', expand: false }],
      [{ name: '$EOF', content: '', expand: true }],
      [{ name: 'EOF', content: '', expand: true }],
      [{ name: 'EOF', content: '', expand: true }],
      [], // RUN ["<<EOF"]
    ]);
    expect(list[11]).toMatchObject({ kind: 'COPY', sources: [], dest: '/dest' });
    expect(list[2]).toMatchObject({ kind: 'RUN', args: ['<<EMPTY'], original: 'RUN <<EMPTY', line: 7 });
    expect(list[list.length - 1]).toMatchObject({ kind: 'RUN', args: ['<<EOF'], prependShell: false });
  });

  test('a heredoc source beside a file source, with the escape char of the file', () => {
    expect(commands('COPY a <<EOF /d/\nbody\nEOF\nRUN true\n')).toMatchObject([
      { kind: 'COPY', sources: ['a'], dest: '/d/', heredocs: [{ name: 'EOF', content: 'body\n', expand: true }], line: 2 },
      { kind: 'RUN', line: 5 },
    ]);
  });

  test('ONBUILD keeps the heredoc in its trigger text', () => {
    expect(only('ONBUILD RUN <<EOF\necho hi\nEOF')).toMatchObject({ kind: 'ONBUILD', expression: 'RUN <<EOF\necho hi\nEOF' });
  });
});

describe('parseTrigger', () => {
  test('an ONBUILD expression becomes the command it names', () => {
    expect(parseTrigger('RUN echo hi')).toEqual({ kind: 'RUN', line: 1, original: 'RUN echo hi', flags: {}, args: ['echo hi'], prependShell: true, heredocs: [] });
    expect(parseTrigger('RUN <<EOF\necho hi\nEOF')).toMatchObject({ kind: 'RUN', heredocs: [{ name: 'EOF', content: 'echo hi\n', expand: true }] });
    expect(parseTrigger('COPY a `\n  b', '`')).toMatchObject({ kind: 'COPY', sources: ['a'], dest: 'b' });
  });

  test('errors carry Docker\'s message without a line', () => {
    expect(() => parseTrigger('FOOBAR x')).toThrow(new DockerfileParseError('unknown instruction: FOOBAR', 0));
    expect(() => parseTrigger('RUN a\nRUN b')).toThrow('onbuild trigger should be a single expression');
    expect(() => parseTrigger('# nothing')).toThrow(/^file with no instructions$/);
    expect(() => parseTrigger('COPY a')).toThrow(/^COPY requires at least two arguments/);
  });
});
