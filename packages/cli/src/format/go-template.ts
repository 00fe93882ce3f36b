import { InvalidArgumentError } from '@berth/api';
import { GoTime } from './go-time.js';

/**
 * The part of Go's text/template that docker's `--format` values use: text, `{{.Field.Sub}}`, `{{.}}`,
 * pipelines (`{{.X | upper}}`), `{{range}}` (also `range $k, $v := …`), `{{if}}`, `{{with}}` (with
 * `{{else}}`), `{{- -}}` trimming, and the functions docker adds (json, join, split, lower, upper, title, pad,
 * truncate, println) besides Go's index, len, print, printf (%s %d %v %q), not, and, or, eq, ne. A field whose
 * value is a function is a method: `{{.Label "k"}}` calls it. Anything else is refused as a parsing error
 * before data is fetched.
 */
export function renderTemplate(template: string, data: unknown): string {
  return execute(parse(template), data);
}

/** Checks a template before anything is fetched, as docker parses it first. */
export function checkTemplate(template: string): void {
  parse(template);
}

type Arg =
  | { kind: 'field'; variable?: string; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'function'; name: string }
  | { kind: 'pipe'; pipe: Command[] };
type Command = Arg[];
interface Block {
  kind: 'range' | 'if' | 'with';
  /** `range $k, $v := …` or `range $v := …`: the variables each item is bound to. */
  variables: string[];
  pipe: Command[];
  body: Node[];
  otherwise: Node[];
}
type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Command[] } | Block;

class TemplateError extends InvalidArgumentError {
  constructor(detail: string) {
    super(`template parsing error: template: :1: ${detail}`);
  }
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  json: (value) => new JsonOutput(value),
  join: (list, separator) => (Array.isArray(list) ? list.map(goFormat).join(String(separator)) : goFormat(list)),
  split: (text, separator) => String(text).split(String(separator)),
  lower: (text) => String(text).toLowerCase(),
  upper: (text) => String(text).toUpperCase(),
  title: (text) => String(text).replace(/\b\w/g, (c) => c.toUpperCase()),
  pad: (text, left, right) => `${' '.repeat(Number(left))}${goFormat(text)}${' '.repeat(Number(right))}`,
  truncate: (text, length) => [...String(text)].slice(0, Number(length)).join(''),
  println: (...values) => `${values.map(goFormat).join(' ')}\n`,
  print: (...values) => values.map(goFormat).join(''),
  printf: (format, ...values) => printf(String(format), values),
  index: (collection, ...keys) => keys.reduce((value: unknown, key) => index(value, key), collection),
  len: (value) => (Array.isArray(value) || typeof value === 'string' ? value.length : value && typeof value === 'object' ? Object.keys(value).length : 0),
  not: (value) => !truthy(value),
  and: (...values) => values.find((value) => !truthy(value)) ?? values.at(-1),
  or: (...values) => values.find(truthy) ?? values.at(-1),
  eq: (a, ...others) => others.some((b) => a === b),
  ne: (a, b) => a !== b,
};

/** What `{{json …}}` produced: printed as JSON rather than with Go's fmt. */
class JsonOutput {
  constructor(readonly value: unknown) {}
}

function index(value: unknown, key: unknown): unknown {
  // Go's index gives a missing key the zero value of the map's elements: "" for the string maps --format reaches.
  if (value === null || typeof value !== 'object') return '';
  return (value as Record<string, unknown>)[String(key)] ?? '';
}

function printf(format: string, values: unknown[]): string {
  let next = 0;
  return format.replace(/%([sdvq%])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    const value = values[next++];
    return verb === 'q' ? JSON.stringify(String(value)) : goFormat(value);
  });
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && !(value instanceof GoTime) && !(value instanceof JsonOutput)) return Object.keys(value).length > 0;
  return true;
}

/** Splits the template into text and actions, then nests range/if/with bodies. */
function parse(template: string): Node[] {
  const pieces: ({ text: string } | { action: string })[] = [];
  let rest = template;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open === -1) {
      pieces.push({ text: rest });
      break;
    }
    let text = rest.slice(0, open);
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError('unclosed action');
    let action = rest.slice(open + 2, close);
    rest = rest.slice(close + 2);
    if (action.startsWith('- ')) {
      text = text.trimEnd();
      action = action.slice(1);
    }
    if (action.endsWith(' -')) {
      rest = rest.trimStart();
      action = action.slice(0, -1);
    }
    pieces.push({ text }, { action: action.trim() });
  }
  const stack: { node: Block; inElse: boolean }[] = [];
  const root: Node[] = [];
  const current = (): Node[] => {
    const top = stack.at(-1);
    return top ? (top.inElse ? top.node.otherwise : top.node.body) : root;
  };
  for (const piece of pieces) {
    if ('text' in piece) {
      if (piece.text) current().push({ kind: 'text', text: piece.text });
      continue;
    }
    const [keyword, ...words] = piece.action.split(/\s+/);
    if (keyword === 'range' || keyword === 'if' || keyword === 'with') {
      const declaration = /^(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.*)$/.exec(words.join(' '));
      const variables = declaration ? [declaration[1]!, declaration[2]].filter((name): name is string => name !== undefined) : [];
      const node: Block = { kind: keyword, variables, pipe: parsePipe(declaration ? declaration[3]! : words.join(' ')), body: [], otherwise: [] };
      current().push(node);
      stack.push({ node, inElse: false });
    } else if (keyword === 'else' || keyword === 'end') {
      const top = stack.at(-1);
      if (!top) throw new TemplateError(`unexpected {{${keyword}}}`);
      if (keyword === 'else') top.inElse = true;
      else stack.pop();
    } else if (piece.action.startsWith('/*')) {
      continue;
    } else {
      current().push({ kind: 'action', pipe: parsePipe(piece.action) });
    }
  }
  if (stack.length) throw new TemplateError('unexpected EOF');
  return root;
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|]+)/y;

function parsePipe(source: string): Command[] {
  const tokens: string[] = [];
  let end = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(source); match; match = TOKEN.exec(source)) {
    tokens.push(match[1]!);
    end = TOKEN.lastIndex;
  }
  if (source.slice(end).trim()) throw new TemplateError(`unterminated quoted string`);
  if (!tokens.length) throw new TemplateError(`missing value for command`);
  let position = 0;
  const pipe = (): Command[] => {
    const commands: Command[] = [[]];
    while (position < tokens.length && tokens[position] !== ')') {
      const token = tokens[position++]!;
      if (token === '|') commands.push([]);
      else if (token === '(') {
        commands.at(-1)!.push({ kind: 'pipe', pipe: pipe() });
        if (tokens[position++] !== ')') throw new TemplateError('unclosed left paren');
      } else commands.at(-1)!.push(parseArg(token));
    }
    if (commands.some((command) => command.length === 0)) throw new TemplateError('missing value for command');
    return commands;
  };
  const commands = pipe();
  if (position < tokens.length) throw new TemplateError('unexpected ")"');
  return commands;
}

function parseArg(token: string): Arg {
  if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) as string };
  if (token.startsWith('`')) return { kind: 'literal', value: token.slice(1, -1) };
  if (/^-?\d+$/.test(token)) return { kind: 'literal', value: Number(token) };
  if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
  if (token === 'nil') return { kind: 'literal', value: null };
  if (token === '.') return { kind: 'field', path: [] };
  if (/^(\.[A-Za-z_]\w*)+$/.test(token)) return { kind: 'field', path: token.slice(1).split('.') };
  const variable = /^(\$\w*)((?:\.[A-Za-z_]\w*)*)$/.exec(token);
  if (variable) return { kind: 'field', variable: variable[1], path: variable[2]!.split('.').filter(Boolean) };
  if (token in FUNCTIONS) return { kind: 'function', name: token };
  throw new TemplateError(/^[A-Za-z_]\w*$/.test(token) ? `function "${token}" not defined` : `bad character in "${token}"`);
}

/** Template variables by name; `$` is the data the template was executed with. */
type Variables = Record<string, unknown>;

function execute(nodes: Node[], dot: unknown, vars: Variables = { $: dot }): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') out += formatValue(evaluatePipe(node.pipe, dot, vars));
    else {
      const value = evaluatePipe(node.pipe, dot, vars);
      if (node.kind === 'range') {
        const items: [unknown, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : value && typeof value === 'object' ? sortedEntries(value) : [];
        const bind = ([key, item]: [unknown, unknown]): Variables => {
          const [first, second] = node.variables;
          if (second) return { ...vars, [first!]: key, [second]: item };
          return first ? { ...vars, [first]: item } : vars;
        };
        out += items.length ? items.map((entry) => execute(node.body, entry[1], bind(entry))).join('') : execute(node.otherwise, dot, vars);
      } else if (truthy(value)) out += execute(node.body, node.kind === 'with' ? value : dot, vars);
      else out += execute(node.otherwise, dot, vars);
    }
  }
  return out;
}

function evaluatePipe(pipe: Command[], dot: unknown, vars: Variables): unknown {
  let piped: unknown[] = [];
  for (const [head, ...rest] of pipe) {
    const args = [...rest.map((arg) => evaluateArg(arg, dot, vars)), ...piped];
    let value: unknown;
    if (head!.kind === 'function') value = FUNCTIONS[head!.name]!(...args);
    else {
      const target = evaluateArg(head!, dot, vars, args.length > 0);
      value = typeof target === 'function' ? (target as (...a: unknown[]) => unknown)(...args) : target;
    }
    piped = [value];
  }
  return piped[0];
}

function evaluateArg(arg: Arg, dot: unknown, vars: Variables, keepMethod = false): unknown {
  if (arg.kind === 'literal') return arg.value;
  if (arg.kind === 'pipe') return evaluatePipe(arg.pipe, dot, vars);
  if (arg.kind === 'function') return FUNCTIONS[arg.name]!();
  if (arg.variable !== undefined && !(arg.variable in vars)) throw new TemplateError(`undefined variable "${arg.variable}"`);
  let value = arg.variable === undefined ? dot : vars[arg.variable];
  for (const [i, name] of arg.path.entries()) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[name];
    // A method is called unless it is the command's head and takes the command's arguments.
    if (typeof value === 'function' && !(keepMethod && i === arg.path.length - 1)) value = (value as () => unknown)();
  }
  return value;
}

function sortedEntries(value: object): [string, unknown][] {
  return Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** JSON as Go's encoding/json writes it: `<`, `>` and `&` escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How Go's fmt prints a value decoded from JSON: maps as map[k:v] in key order, lists as [a b], null as <nil>. */
export function formatValue(value: unknown): string {
  if (value instanceof JsonOutput) return goJson(value.value);
  if (value === undefined || value === null) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  return goFormat(value);
}

function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (value instanceof JsonOutput) return goJson(value.value);
  if (value instanceof GoTime) return value.toString();
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object') return `map[${sortedEntries(value).map(([k, v]) => `${k}:${goFormat(v)}`).join(' ')}]`;
  return String(value);
}
