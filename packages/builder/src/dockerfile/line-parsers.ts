/**
 * One instruction line (continuations joined) into its keyword, flags and arguments, after BuildKit's
 * `parser/split_command.go` and `parser/line_parsers.go`: each instruction has its own way of splitting
 * its arguments (JSON or not, key=value pairs, whitespace-delimited words, one string).
 */
import { isSpace } from './shell-lex.js';

/** A parsed line: BuildKit's parser.Node reduced to what the instructions need. */
export interface Node {
  /** The keyword as written. */
  command: string;
  /** `--name[=value]` words before the arguments, quotes and escapes removed. */
  flags: string[];
  /** The arguments as the keyword's line parser splits them (ENV/LABEL: key, value, separator triples). */
  args: string[];
  /** The arguments were a JSON array. */
  json: boolean;
  /** ONBUILD: the trigger, parsed as a line of its own. */
  trigger?: Node;
}

/** Thrown by a line parser: a syntax error of the file. */
export class LineSyntaxError extends Error {}

const WHITESPACE = /[\t\v\f\r ]+/;

type LineParser = (rest: string, escape: string) => Pick<Node, 'args' | 'json' | 'trigger'>;

const words = (args: string[]) => ({ args, json: false });

const parseIgnore: LineParser = () => words([]);
const parseString: LineParser = (rest) => words(rest === '' ? [] : [rest]);
const parseStringsWhitespaceDelimited: LineParser = (rest) => words(rest === '' ? [] : rest.split(WHITESPACE));

/** A JSON array of strings, or undefined when the text is not a JSON array (then another form applies). */
function parseJson(rest: string): string[] | undefined {
  const text = rest.trimStart();
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((item) => typeof item === 'string')) {
    throw new LineSyntaxError('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value;
}

const parseMaybeJson: LineParser = (rest) => {
  if (rest === '') return words([]);
  const json = parseJson(rest);
  return json ? { args: json, json: true } : words([rest]);
};

const parseMaybeJsonToList: LineParser = (rest, escape) => {
  const json = parseJson(rest);
  return json ? { args: json, json: true } : parseStringsWhitespaceDelimited(rest, escape);
};

/** HEALTHCHECK: the type word, then the command as RUN's. */
const parseHealthConfig: LineParser = (rest, escape) => {
  const match = /^(\S+)\s*/.exec(rest);
  if (!match) return words([]);
  const command = parseMaybeJson(rest.slice(match[0].length), escape);
  return { args: [match[1]!, ...command.args], json: command.json };
};

/** ENV and LABEL: `key=value …` pairs, or the legacy `key value with spaces`; triples key, value, separator. */
function parseNameVal(keyword: string): LineParser {
  return (rest, escape) => {
    const list = splitWords(rest, escape);
    if (list.length === 0) return words([]);
    if (!list[0]!.includes('=')) {
      const parts = splitN(rest, WHITESPACE, 2);
      if (parts.length < 2) throw new LineSyntaxError(`${keyword} must have two arguments`);
      return words([parts[0]!, parts[1]!, '']);
    }
    const args: string[] = [];
    for (const word of list) {
      const eq = word.indexOf('=');
      if (eq < 0) throw new LineSyntaxError(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
      args.push(word.slice(0, eq), word.slice(eq + 1), '=');
    }
    return words(args);
  };
}

const parseNameOrNameVal: LineParser = (rest, escape) => words(splitWords(rest, escape));

const parseSubCommand: LineParser = (rest, escape) => {
  if (rest === '') return words([]);
  const trigger = nodeFromLine(rest, escape);
  return { args: [trigger.command, ...trigger.args], json: false, trigger };
};

const DISPATCH: Record<string, LineParser> = {
  add: parseMaybeJsonToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: parseNameVal('ENV'),
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: parseNameVal('LABEL'),
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJsonToList,
  workdir: parseString,
};

/** The instruction keywords Docker knows, lower-case. */
export const INSTRUCTIONS = Object.keys(DISPATCH);

export function nodeFromLine(line: string, escape: string): Node {
  const { command, flags, rest } = splitCommand(line, escape);
  const parse = DISPATCH[command.toLowerCase()] ?? parseIgnore;
  return { command, flags, ...parse(rest, escape) };
}

function splitCommand(line: string, escape: string): { command: string; flags: string[]; rest: string } {
  const parts = splitN(goTrimSpace(line), WHITESPACE, 2);
  if (parts.length < 2) return { command: parts[0]!, flags: [], rest: '' };
  const { flags, rest } = extractBuilderFlags(parts[1]!, escape);
  return { command: parts[0]!, flags, rest: goTrimSpace(rest) };
}

/** The leading `--flag` words (quotes and escapes removed) and the text after them; `--` ends the flags. */
function extractBuilderFlags(line: string, escape: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOk = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    let ch = atEnd ? '' : line[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { flags, rest: line.slice(pos) };
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOk || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        if (word === '--') return { flags, rest: line.slice(pos) };
        if (blankOk || word.length > 0) flags.push(word);
        phase = 'spaces';
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === line.length) continue;
        ch = line[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      ch = line[++pos]!;
    }
    word += ch;
  }
  return { flags, rest: '' };
}

/** Space-delimited or quoted words, quotes and escapes kept (expansion removes them later). */
function splitWords(rest: string, escape: string): string[] {
  const result: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  const chars = Array.from(rest);
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? '' : chars[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOk || word.length > 0) result.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOk || word.length > 0) result.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        ch = chars[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos]!;
    }
    word += ch;
  }
  return result;
}

/** Go's strings.SplitN with a regexp: at most `n` parts, the last one the unsplit remainder. */
function splitN(text: string, separator: RegExp, n: number): string[] {
  const match = new RegExp(separator.source).exec(text);
  if (n < 2 || !match) return [text];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}

/** Go's strings.TrimSpace (unicode.IsSpace on both ends). */
export function goTrimSpace(text: string): string {
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && isSpace(chars[start]!)) start++;
  while (end > start && isSpace(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}
