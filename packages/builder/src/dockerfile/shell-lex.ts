/**
 * Variable expansion and word splitting of Dockerfile words, after BuildKit's
 * `frontend/dockerfile/shell` Lex: `$VAR`, `${VAR}`, the `-` `+` `?` modifiers (with `:` for
 * "unset or empty"), `#` `%` prefix/suffix trimming, `/` replacement, quotes and the escape char.
 */
import { InvalidArgumentError } from '@berth/api';

export type EscapeChar = '\\' | '`';

/** Options of the lexer that the parser itself needs (heredoc detection); the executor uses the defaults. */
export interface ShellLexOptions {
  /** Keep quote characters in the result. */
  rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  rawEscapes?: boolean;
  /** Leave `$NAME` of unset variables as written. */
  skipUnsetEnv?: boolean;
  /** Treat quotes as plain characters (heredoc bodies). */
  skipProcessQuotes?: boolean;
}

/** A failure to expand a word, in BuildKit's words: `failed to process "<word>": <reason>`. */
export class ShellExpansionError extends InvalidArgumentError {}

const EOF = -1;

class Words {
  private buf = '';
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length > 0) this.flush();
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.buf += ch;
    this.inWord = true;
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRawString(text: string): void {
    this.buf += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buf.length > 0) this.flush();
    return this.words;
  }

  private flush(): void {
    this.words.push(this.buf);
    this.buf = '';
    this.inWord = false;
  }
}

/** Thrown inside a word's processing; `process` wraps it with the word. */
class LexError extends Error {}

class Scanner {
  private readonly chars: string[];
  private pos = 0;

  constructor(text: string) {
    this.chars = Array.from(text);
  }

  peek(): string | typeof EOF {
    return this.pos < this.chars.length ? this.chars[this.pos]! : EOF;
  }

  next(): string | typeof EOF {
    return this.pos < this.chars.length ? this.chars[this.pos++]! : EOF;
  }
}

export class ShellLex {
  private readonly options: Required<ShellLexOptions>;

  constructor(
    readonly escape: EscapeChar = '\\',
    options: ShellLexOptions = {},
  ) {
    this.options = { rawQuotes: false, rawEscapes: false, skipUnsetEnv: false, skipProcessQuotes: false, ...options };
  }

  /** The word with variables expanded and quotes and escapes removed. */
  processWord(word: string, env: ReadonlyMap<string, string>): string {
    return this.process(word, env).result;
  }

  /** The word expanded and split into words at unquoted whitespace (whitespace from a variable splits too). */
  processWords(word: string, env: ReadonlyMap<string, string>): string[] {
    return this.process(word, env).words;
  }

  private process(word: string, env: ReadonlyMap<string, string>): { result: string; words: string[] } {
    try {
      return new ShellWord(this.escape, this.options, env, word).processStopOn(EOF, this.options.rawEscapes);
    } catch (err) {
      if (err instanceof LexError) throw new ShellExpansionError(`failed to process ${goQuote(word)}: ${err.message}`);
      throw err;
    }
  }
}

/**
 * A heredoc body as BuildKit expands it when its delimiter was not quoted: variables only,
 * quotes kept as written, `\` as the escape whatever the Dockerfile's escape char.
 */
export function expandHeredoc(content: string, env: ReadonlyMap<string, string>): string {
  return new ShellLex('\\', { skipProcessQuotes: true }).processWord(content, env);
}

class ShellWord {
  private readonly scanner: Scanner;
  private rawEscapes: boolean;

  constructor(
    private readonly escape: string,
    private readonly options: Required<ShellLexOptions>,
    private readonly env: ReadonlyMap<string, string>,
    word: string,
  ) {
    this.scanner = new Scanner(word);
    this.rawEscapes = options.rawEscapes;
  }

  processStopOn(stop: string | typeof EOF, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.scan(stop);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private scan(stop: string | typeof EOF): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    for (let ch = this.scanner.peek(); ch !== EOF; ch = this.scanner.peek()) {
      if (stop !== EOF && ch === stop) {
        this.scanner.next();
        return { result, words: words.finish() };
      }
      const special = this.special(ch);
      if (special) {
        const text = special();
        result += text;
        if (ch === '$') words.addString(text);
        else words.addRawString(text);
        continue;
      }
      let c = this.scanner.next() as string;
      if (c === this.escape) {
        if (this.rawEscapes) {
          words.addRawChar(c);
          result += c;
        }
        const escaped = this.scanner.next();
        if (escaped === EOF) break;
        c = escaped;
        words.addRawChar(c);
      } else {
        words.addChar(c);
      }
      result += c;
    }
    if (stop !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.finish() };
  }

  private special(ch: string): (() => string) | undefined {
    if (ch === '$') return () => this.processDollar();
    if (ch === '<') return () => this.processPossibleHeredoc();
    if (this.options.skipProcessQuotes) return undefined;
    if (ch === "'") return () => this.processSingleQuote();
    if (ch === '"') return () => this.processDoubleQuote();
    return undefined;
  }

  private processSingleQuote(): string {
    const open = this.scanner.next() as string;
    let result = this.options.rawQuotes ? open : '';
    for (;;) {
      const ch = this.scanner.next();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return this.options.rawQuotes ? result + ch : result;
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    const open = this.scanner.next() as string;
    let result = this.options.rawQuotes ? open : '';
    for (;;) {
      const peek = this.scanner.peek();
      if (peek === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (peek === '"') {
        this.scanner.next();
        return this.options.rawQuotes ? result + peek : result;
      }
      if (peek === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.scanner.next() as string;
      if (ch === this.escape) {
        if (this.rawEscapes) result += ch;
        const after = this.scanner.peek();
        if (after === EOF) continue;
        if (after === '"' || after === '$' || after === this.escape) ch = this.scanner.next() as string;
      }
      result += ch;
    }
  }

  private processDollar(): string {
    this.scanner.next();
    if (this.scanner.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.env.get(name);
      if (value === undefined && this.options.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    this.scanner.next();
    const first = this.scanner.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.scanner.next();
    // Go renders the end of input as U+FFFD in this message.
    let modifier = ch === EOF ? '\ufffd' : ch;
    if (ch === '}') {
      const value = this.env.get(name);
      if (value === undefined && this.options.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === '/') return this.processReplace(name);
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.scanner.next();
      modifier += ch === EOF ? '\ufffd' : ch;
    }
    if (ch !== '+' && ch !== '-' && ch !== '?' && ch !== '#' && ch !== '%') {
      throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    }
    const trimming = ch === '#' || ch === '%';
    if (nullIsUnset && trimming) throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    let word = this.wordUntil('}', trimming, "syntax error: missing '}'");
    const value = this.env.get(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}${modifier}${word}}`;
    const unsetOrNull = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unsetOrNull ? word : value!;
      case '+':
        return unsetOrNull ? '' : word;
      case '?':
        if (value === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      default: {
        let greedy = false;
        if (word.startsWith(ch)) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
    }
  }

  private processReplace(name: string): string {
    const replaceAll = this.scanner.peek() === '/';
    if (replaceAll) this.scanner.next();
    const pattern = this.wordUntil('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.wordUntil('}', true, "syntax error: missing '}'");
    const value = this.env.get(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const re = shellPatternToRegex(pattern, true, false, replaceAll ? 'gu' : 'u');
    return (value ?? '').replace(re, () => replacement);
  }

  /** A nested word up to `stop`, with BuildKit's "missing" message when the input ends first. */
  private wordUntil(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.processStopOn(stop, rawEscapes).result;
    } catch (err) {
      if (err instanceof LexError && this.scanner.peek() === EOF) throw new LexError(missing);
      throw err;
    }
  }

  private processName(): string {
    let name = '';
    for (let ch = this.scanner.peek(); ch !== EOF; ch = this.scanner.peek()) {
      if (name === '' && isDigit(ch)) {
        while (this.scanner.peek() !== EOF && isDigit(this.scanner.peek() as string)) name += this.scanner.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.scanner.next() as string;
      if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
      name += this.scanner.next();
    }
    return name;
  }

  /** `<<` with the blanks after it stays together, so `<< EOF` is one word for heredoc detection. */
  private processPossibleHeredoc(): string {
    this.scanner.next();
    if (this.scanner.peek() !== '<') return '<';
    this.scanner.next();
    let result = '<<';
    while (this.scanner.peek() === ' ' || this.scanner.peek() === '\t') result += this.scanner.next();
    return result;
  }
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

/** The characters of Go's unicode.IsSpace, as a RegExp character class body. */
export const SPACE_CLASS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPACE = new RegExp(`^[${SPACE_CLASS}]$`, 'u');

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  return SPACE.test(ch);
}

/** A shell glob (`*`, `?`, `\` escapes) as a RegExp, as BuildKit's convertShellPatternToRegex. */
function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean, flags = 'u'): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i]!;
    if (ch === '*') {
      out += greedy ? '.*' : '.*?';
      continue;
    }
    if (ch === '?') {
      out += '.';
      continue;
    }
    if (ch === '\\') {
      const next = chars[i + 1];
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new LexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`);
      }
      out += '\\';
      ch = next;
      i++;
    } else if ('[]{}.+()|^$'.includes(ch)) {
      out += '\\';
    }
    out += ch;
  }
  return new RegExp(out, flags);
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const match = shellPatternToRegex(pattern, greedy, true).exec(value);
  return match ? value.slice(match[0].length) : value;
}

/** Suffix trimming runs the prefix trim on the reversed value with the reversed pattern (escapes kept before their char). */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    if (chars[i] === '\\' && i !== last) {
      out[last - i - 1] = '\\';
      out[last - i] = chars[i + 1]!;
      i += 2;
    } else {
      out[last - i] = chars[i]!;
      i++;
    }
  }
  return out.join('');
}

/** Go's %q for the strings errors quote (printable text; escapes for quotes, backslashes and controls). */
export function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}
