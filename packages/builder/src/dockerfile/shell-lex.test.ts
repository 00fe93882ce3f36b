import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@berth/api';
import { describe, expect, test } from 'vitest';
import { expandHeredoc, ShellExpansionError, ShellLex } from './shell-lex.js';

const data = (name: string) => readFileSync(new URL(`./test-support/${name}`, import.meta.url), 'utf8');

/** BuildKit's envVarTest: `platform | word | expected` (U and A rows run here), `error` for a failure. */
function envVarCases(): [number, string, string][] {
  const cases: [number, string, string][] = [];
  data('envVarTest')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (raw.startsWith('#') || line === '') return;
      const [platform, word, expected] = line.split('|').map((part) => part.trim());
      if (platform === 'A' || platform === 'U') cases.push([index + 1, word!, expected!]);
    });
  return cases;
}

/** BuildKit's wordsTest: `ENV k=v` lines add to the environment, `word | w1,w2` expects those words. */
function wordsCases(): [number, string, string[], string[]][] {
  const cases: [number, string, string[], string[]][] = [];
  const env: string[] = [];
  data('wordsTest')
    .split('\n')
    .forEach((line, index) => {
      if (line.startsWith('#') || line === '') return;
      if (line.startsWith('ENV ')) {
        env.push(line.slice(3).trimStart());
        return;
      }
      const [word, expected] = line.split('|');
      cases.push([index + 1, word!.trim(), [...env], expected!.trimStart().split(',')]);
    });
  return cases;
}

const envOf = (entries: string[]) => new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const));

describe('ShellLex.processWord (BuildKit envVarTest)', () => {
  const env = envOf(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
  test.each(envVarCases())('line %i: %s → %s', (_line, word, expected) => {
    const lex = new ShellLex('\\');
    if (expected === 'error') expect(() => lex.processWord(word, env)).toThrow(ShellExpansionError);
    else expect(lex.processWord(word, env)).toBe(expected);
  });
});

describe('ShellLex.processWords (BuildKit wordsTest)', () => {
  test.each(wordsCases())('line %i: %s', (_line, word, env, expected) => {
    let words: string[];
    try {
      words = new ShellLex('\\').processWords(word, envOf(env));
    } catch {
      words = ['error'];
    }
    expect(words).toEqual(expected);
  });
});

describe('ShellLex', () => {
  test('${VAR:?msg} and ${VAR?msg} fail with the message, expanded (BuildKit TestShellParserMandatoryEnvVars)', () => {
    const lex = new ShellLex('\\');
    const set = envOf(['VAR=plain', 'ARG=x']);
    const empty = envOf(['VAR=', 'ARG=x']);
    const unset = envOf(['ARG=x']);
    expect(lex.processWord('${VAR:?message here$ARG}', set)).toBe('plain');
    expect(() => lex.processWord('${VAR:?message here$ARG}', empty)).toThrow('message herex');
    expect(() => lex.processWord('${VAR:?message here$ARG}', unset)).toThrow('message herex');
    expect(lex.processWord('${VAR?message here$ARG}', set)).toBe('plain');
    expect(lex.processWord('${VAR?message here$ARG}', empty)).toBe('');
    expect(() => lex.processWord('${VAR?message here$ARG}', unset)).toThrow('message herex');
  });

  test('errors are 400s worded as BuildKit words them', () => {
    const lex = new ShellLex('\\');
    expect(() => lex.processWord('${X:?}', new Map())).toThrow(InvalidArgumentError);
    expect(() => lex.processWord('${X:?}', envOf(['X=']))).toThrow('failed to process "${X:?}": X: is not allowed to be empty');
    expect(() => lex.processWord('${X?}', new Map())).toThrow('failed to process "${X?}": X: is not allowed to be unset');
    expect(() => lex.processWord('"abc', new Map())).toThrow('unexpected end of statement while looking for matching double-quote');
    expect(() => lex.processWord('${X', new Map())).toThrow('unsupported modifier (\ufffd) in substitution');
    expect(() => lex.processWord('${X:-a', new Map())).toThrow("syntax error: missing '}'");
    expect(() => lex.processWord('${:x}', new Map())).toThrow('syntax error: bad substitution');
    expect(() => lex.processWord('${X:#x}', new Map())).toThrow('unsupported modifier (:#) in substitution');
  });

  test('the backtick escape', () => {
    const lex = new ShellLex('`');
    const env = envOf(['A=1']);
    expect(lex.processWord('C:\\dir\\$A', env)).toBe('C:\\dir\\1');
    expect(lex.processWord('`$A', env)).toBe('$A');
    expect(lex.processWords('a` b c', env)).toEqual(['a b', 'c']);
  });

  test.each([
    ['${V%.*}', 'file.tar.gz', 'file.tar'],
    ['${V%%.*}', 'file.tar.gz', 'file'],
    ['${V#*.}', 'file.tar.gz', 'tar.gz'],
    ['${V##*.}', 'file.tar.gz', 'gz'],
    ['${V/a/o}', 'banana', 'bonana'],
    ['${V//a/o}', 'banana', 'bonono'],
    ['${V:-x}', '', 'x'],
    ['${V-x}', '', ''],
    ['${V:+x}', '', ''],
    ['${V+x}', '', 'x'],
  ])('%s with V=%j is %j', (word, value, expected) => {
    expect(new ShellLex('\\').processWord(word, envOf([`V=${value}`]))).toBe(expected);
  });

  test('options the parser uses for heredoc words keep quotes and unset variables', () => {
    const lex = new ShellLex('\\', { rawQuotes: true, skipUnsetEnv: true });
    expect(lex.processWords(`<<"EOF" $X "\${Y}"`, new Map())).toEqual(['<<"EOF"', '$X', '"${Y}"']);
  });
});

describe('expandHeredoc', () => {
  test('expands variables and keeps quotes; `\\` escapes whatever the Dockerfile escape is', () => {
    const env = envOf(['NAME=me']);
    expect(expandHeredoc(`hello "$NAME" '\${NAME}'\n\\$NAME\n`, env)).toBe(`hello "me" 'me'\n$NAME\n`);
  });
});
