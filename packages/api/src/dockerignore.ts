/**
 * `.dockerignore` as Docker reads it (moby/patternmatcher's ignorefile.ReadAll and MatchesOrParentMatches),
 * on top of `@balena/dockerignore`, which ports the same matcher: this module adds what that port lacks
 * (case-sensitive matching, escaping of the regexp characters moby escapes, the lone `!` error, a BOM)
 * and the question a context walker asks before skipping an excluded directory.
 */
import path from 'node:path';
import balena from '@balena/dockerignore';
import { InvalidArgumentError } from './errors.js';

export interface DockerignoreMatcher {
  /** Whether the context path (relative, `/`-separated) is left out of the build context. */
  ignores(relPath: string): boolean;
  /**
   * Whether an exception pattern (`!…`) could bring back something under this excluded directory, so a walker
   * must descend into it (Docker's rule: an exception whose pattern starts with the directory's path).
   */
  mayReinclude(dirRelPath: string): boolean;
}

// A CommonJS module whose typings declare an ES default export: the function is its `default` property too.
const ignore = balena.default;

/** Characters moby's pattern compiler escapes because they mean nothing in a path pattern, and `#`, which the port takes for a comment even after blanks. */
const LITERAL = new Set(['+', '(', ')', '|', '{', '}', '#']);

export function dockerignoreMatcher(fileText: string): DockerignoreMatcher {
  const patterns = readPatterns(fileText);
  const matcher = ignore({ ignorecase: false }).add(patterns.map((pattern) => escapeLiterals(literalSuffix(pattern))));
  const exceptions = patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  return {
    ignores: (relPath) => {
      const file = cleanPath(relPath);
      return file !== '.' && matcher.ignores(file);
    },
    mayReinclude: (dirRelPath) => {
      const dirSlash = `${cleanPath(dirRelPath)}/`;
      return exceptions.some((pattern) => `${pattern}/`.startsWith(dirSlash));
    },
  };
}

/** ignorefile.ReadAll: comments and blank lines dropped, patterns trimmed and cleaned, a leading `/` removed. */
function readPatterns(fileText: string): string[] {
  const patterns: string[] = [];
  for (const line of fileText.replace(/^\ufeff/, '').split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    if (invert && pattern === '') throw new InvalidArgumentError('illegal exclusion pattern: "!"');
    patterns.push(invert ? `!${pattern}` : pattern);
  }
  return patterns;
}

/** Go's filepath.Clean for `/`-separated paths. */
function cleanPath(file: string): string {
  const normal = path.posix.normalize(file);
  return normal.length > 1 ? normal.replace(/\/$/, '') : normal;
}

/**
 * moby matches `**` followed by literal text as a plain suffix (`**foo` ignores `xfoo`), where the port's
 * regexp wants a whole path component; `**` + `/*` + the text says the same to the port.
 */
function literalSuffix(pattern: string): string {
  const negation = pattern.startsWith('!') ? '!' : '';
  const body = pattern.slice(negation.length);
  return /^\*\*[^/*?[\]\\][^*?[\]\\]*$/.test(body) ? `${negation}**/*${body.slice(2)}` : pattern;
}

function escapeLiterals(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      out += ch + pattern[++i];
      continue;
    }
    out += LITERAL.has(ch) ? `\\${ch}` : ch;
  }
  return out;
}
