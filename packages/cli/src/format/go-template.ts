import { InvalidArgumentError } from '@berth/api';
import { GoTime } from './go-time.js';
import { byteOrder, sortedEntries } from './go-order.js';

/**
 * The part of Go's text/template that docker's `--format` values use: text, `{{.Field.Sub}}`, `{{.}}`,
 * pipelines (`{{.X | upper}}`), `{{range}}` (also `range $k, $v := …`), `{{if}}`, `{{with}}` (with
 * `{{else}}`, `{{else if}}`), `{{- -}}` trimming, Go's string escapes, and the functions docker adds (json, join, split, lower, upper, title, pad,
 * truncate, println) besides Go's index, len, print, printf (Go's verbs and flags), not, and, or, eq, ne, lt, le, gt, ge. A field whose
 * value is a function is a method: `{{.Label "k"}}` calls it. Anything else is refused as a parsing error
 * before data is fetched.
 */
export function renderTemplate(template: string, data: unknown): string {
  return execute(parse(template), data);
}

/** docker's `--format json` on a single object (version, info, events) is `{{json .}}`. */
export function objectTemplate(format: string): string {
  return format === 'json' ? '{{json .}}' : format;
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
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
};

/** Go's ordering for lt/le/gt/ge: numbers with numbers, strings with strings; anything else is an error. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return byteOrder(a, b);
  throw new InvalidArgumentError(`template: :1: error calling compare: incompatible types for comparison`);
}

/** What `{{json …}}` produced: printed as JSON rather than with Go's fmt. */
class JsonOutput {
  constructor(readonly value: unknown) {}
}

function index(value: unknown, key: unknown): unknown {
  // Go's index gives a missing key the zero value of the map's elements: "" for the string maps --format reaches.
  if (value === null || typeof value !== 'object') return '';
  return (value as Record<string, unknown>)[String(key)] ?? '';
}

/** Go's fmt.Sprintf for the verbs templates use: flags (- + 0 space #), width, precision; %v %s %d %q %x %X %t %f %c %%. */
function printf(format: string, values: unknown[]): string {
  let next = 0;
  const out = format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= values.length) return `%!${verb}(MISSING)`;
    const value = values[next++];
    const number = typeof value === 'number';
    let text: string;
    if ((verb === 'd' || verb === 'x' || verb === 'X' || verb === 'f' || verb === 'c') && !number) text = `%!${verb}(${typeof value === 'string' ? 'string' : 'value'}=${goFormat(value)})`;
    else if (verb === 'd') text = Math.trunc(value as number).toString();
    else if (verb === 'x' || verb === 'X') text = Math.trunc(value as number).toString(16);
    else if (verb === 'f') text = (value as number).toFixed(precision === undefined ? 6 : Number(precision));
    else if (verb === 'c') text = String.fromCodePoint(value as number);
    else if (verb === 'q') text = JSON.stringify(goFormat(value));
    else if (verb === 't') text = typeof value === 'boolean' ? String(value) : `%!t(${goFormat(value)})`;
    else if (verb === 's' || verb === 'v') text = goFormat(value);
    else text = `%!${verb}(${goFormat(value)})`;
    if (verb === 'X') text = text.toUpperCase();
    if ((verb === 's' || verb === 'v') && precision !== undefined) text = [...text].slice(0, Number(precision)).join('');
    if (number && flags.includes('+') && (value as number) >= 0 && 'dfv'.includes(verb)) text = `+${text}`;
    const pad = Math.max(0, Number(width ?? 0) - [...text].length);
    if (flags.includes('-')) return text + ' '.repeat(pad);
    if (flags.includes('0') && number && pad) return text.startsWith('-') || text.startsWith('+') ? text[0] + '0'.repeat(pad) + text.slice(1) : '0'.repeat(pad) + text;
    return ' '.repeat(pad) + text;
  });
  return next < values.length ? `${out}%!(EXTRA ${values.slice(next).map((value) => `${goTypeName(value)}=${goFormat(value)}`).join(', ')})` : out;
}

/** The Go type a JSON-decoded value has, as fmt names it. */
function goTypeName(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? '[]interface {}' : value === null ? '<nil>' : 'map[string]interface {}';
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
    const close = actionEnd(rest, open + 2);
    let action = rest.slice(open + 2, close);
    rest = rest.slice(close + 2);
    // Go's trim markers: a dash next to the delimiter, then a space, tab or newline.
    if (/^-\s/.test(action)) {
      text = text.trimEnd();
      action = action.slice(1);
    }
    if (/\s-$/.test(action)) {
      rest = rest.trimStart();
      action = action.slice(0, -1);
    }
    pieces.push({ text }, { action: action.trim() });
  }
  // `chained` marks the block an `{{else if}}` opened: the enclosing block's `{{end}}` closes it too.
  const stack: { node: Block; inElse: boolean; chained: boolean }[] = [];
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
    const open = (kind: Block['kind'], source: string, chained: boolean): void => {
      const declaration = /^(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.*)$/.exec(source);
      const variables = declaration ? [declaration[1]!, declaration[2]].filter((name): name is string => name !== undefined) : [];
      const node: Block = { kind, variables, pipe: parsePipe(declaration ? declaration[3]! : source), body: [], otherwise: [] };
      current().push(node);
      stack.push({ node, inElse: false, chained });
    };
    if (keyword === 'range' || keyword === 'if' || keyword === 'with') {
      open(keyword, words.join(' '), false);
    } else if (keyword === 'else' || keyword === 'end') {
      const top = stack.at(-1);
      if (!top) throw new TemplateError(`unexpected {{${keyword}}}`);
      if (keyword === 'end') {
        while (stack.pop()?.chained);
      } else {
        if (top.inElse) throw new TemplateError('expected end; found {{else}}');
        top.inElse = true;
        const [chain, ...rest] = words;
        // `{{else with}}` is Go 1.23's; docker 28's templates (an older Go) refuse it.
        if (chain === 'if' && top.node.kind !== 'range') open(chain, rest.join(' '), true);
        else if (words.length) throw new TemplateError(`unexpected <${chain}> in input`);
      }
    } else if (piece.action.startsWith('/*')) {
      continue;
    } else {
      current().push({ kind: 'action', pipe: parsePipe(piece.action) });
    }
  }
  if (stack.length) throw new TemplateError('unexpected EOF');
  return root;
}

/** Where the action opened at `from` ends (its `}}`), skipping quoted strings, which may hold `}}`. */
function actionEnd(template: string, from: number): number {
  for (let i = from; i < template.length; i++) {
    const c = template[i];
    if (c === '"') {
      for (i++; i < template.length && template[i] !== '"'; i++) if (template[i] === '\\') i++;
    } else if (c === '`') {
      i = template.indexOf('`', i + 1);
      if (i === -1) break;
    } else if (c === '}' && template[i + 1] === '}') return i;
  }
  throw new TemplateError('unclosed action');
}

const GO_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** A Go interpreted string literal's value: its escapes (\n, \x41, \u00e9, \101, …) decoded. */
function goUnquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, escape: string) => {
    if (/^[xuU]/.test(escape)) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    if (/^[0-7]{3}$/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
    const plain = GO_ESCAPES[escape];
    if (plain === undefined) throw new TemplateError(`unquote: invalid syntax: ${literal}`);
    return plain;
  });
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
  if (token.startsWith('"')) return { kind: 'literal', value: goUnquote(token) };
  if (token.startsWith('`')) return { kind: 'literal', value: token.slice(1, -1) };
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(token)) return { kind: 'literal', value: Number(token) };
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
        const items: [unknown, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : value && typeof value === 'object' ? sortedEntries(value as Record<string, unknown>) : [];
        const bind = ([key, item]: [unknown, unknown]): Variables => {
          const [first, second] = node.variables;
          if (second) return { ...vars, [first!]: key, [second]: item };
          return first ? { ...vars, [first]: item } : vars;
        };
        out += items.length ? items.map((entry) => execute(node.body, entry[1], bind(entry))).join('') : execute(node.otherwise, dot, vars);
      } else if (truthy(value)) out += execute(node.body, node.kind === 'with' ? value : dot, node.variables[0] ? { ...vars, [node.variables[0]]: value } : vars);
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

/** JSON as Go's encoding/json writes it: `<`, `>` and `&` escaped (indented as MarshalIndent when asked). */
export function goJson(value: unknown, indent?: number): string {
  return JSON.stringify(value ?? null, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
  if (typeof value === 'object') return `map[${sortedEntries(value as Record<string, unknown>).map(([k, v]) => `${k}:${goFormat(v)}`).join(' ')}]`;
  return String(value);
}
