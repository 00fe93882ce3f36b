/**
 * A Dockerfile's text into typed stages and commands, as Docker's classic builder reads it (BuildKit's
 * `frontend/dockerfile/parser` for the lines, `instructions` for the commands): parser directives, line
 * continuations with the escape char, comments, heredocs; then each instruction checked and typed.
 */
import type { Command, Dockerfile, Stage } from './commands.js';
import { DirectiveError, DirectiveParser } from './directives.js';
import { DockerfileParseError } from './errors.js';
import { heredocsFromLine } from './heredoc.js';
import { type LocatedNode, parseInstruction } from './instructions.js';
import { goTrimSpace, LineSyntaxError, type Node, nodeFromLine } from './line-parsers.js';
import { type EscapeChar, ShellExpansionError, SPACE_CLASS } from './shell-lex.js';

type ArgCommand = Extract<Command, { kind: 'ARG' }>;

/**
 * Parses a Dockerfile. `name` is the file's name as the build request gave it (`dockerfile=`), which
 * Docker's messages about the whole file use.
 * @throws DockerfileParseError
 */
export function parseDockerfile(text: string, name = 'Dockerfile'): Dockerfile {
  if (text.length === 0) throw new DockerfileParseError(`the Dockerfile (${name}) cannot be empty`, 0);
  let scanned: ReturnType<typeof scan>;
  try {
    scanned = scan(text);
  } catch (err) {
    if (err instanceof SyntaxFailure) throw DockerfileParseError.syntax(name, err.line, err.message);
    throw err;
  }
  const { nodes, escape, directives } = scanned;
  const metaArgs: ArgCommand[] = [];
  const stages: Stage[] = [];
  for (const node of nodes) {
    const parsed = instructionAt(node);
    if ('from' in parsed) {
      stages.push({ ...parsed.from, commands: [] });
      continue;
    }
    const { command } = parsed;
    const stage = stages[stages.length - 1];
    if (stage) stage.commands.push(command);
    else if (command.kind === 'ARG') metaArgs.push(command);
    else throw new DockerfileParseError('no build stage in current context', node.line);
  }
  return { directives, escape, metaArgs, stages };
}

/**
 * Parses an ONBUILD trigger (the image's `OnBuild` entry) when a FROM meets it. Docker reads a trigger as a
 * Dockerfile of its own, so with the default escape char unless `escape` says otherwise, and its errors carry no line.
 * @throws DockerfileParseError
 */
export function parseTrigger(expression: string, escape: EscapeChar = '\\'): Command {
  let nodes: LocatedNode[];
  try {
    nodes = scan(expression, escape).nodes;
  } catch (err) {
    if (err instanceof SyntaxFailure) throw new DockerfileParseError(err.message, 0);
    throw err;
  }
  if (nodes.length !== 1) throw new DockerfileParseError('onbuild trigger should be a single expression', 0);
  let parsed: ReturnType<typeof parseInstruction>;
  try {
    parsed = parseInstruction(nodes[0]!);
  } catch (err) {
    throw new DockerfileParseError(reason(err), 0);
  }
  if ('from' in parsed) throw new DockerfileParseError('*instructions.Stage is not a command type', 0);
  return parsed.command;
}

function instructionAt(node: LocatedNode): ReturnType<typeof parseInstruction> {
  try {
    return parseInstruction(node);
  } catch (err) {
    throw DockerfileParseError.instruction(node.line, reason(err));
  }
}

function reason(err: unknown): string {
  if (err instanceof Error && !(err instanceof DockerfileParseError)) return err.message;
  throw err;
}

/** A syntax error of the text (BuildKit's parser.Parse), which the caller words for a file or for a trigger. */
class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** The lines of the file with their endings (BuildKit's scanLines). */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const trimNewline = (line: string) => line.replace(/[\r\n]+$/, '');
const LEADING_WHITESPACE = new RegExp(`^[${SPACE_CLASS}]+`, 'u');
const trimLeadingWhitespace = (line: string) => line.replace(LEADING_WHITESPACE, '');
const isComment = (line: string) => trimLeadingWhitespace(line).startsWith('#');
const isEmptyContinuationLine = (line: string) => trimLeadingWhitespace(trimNewline(line)) === '';

/** Splits the file into instruction lines (BuildKit's parser.Parse): continuations joined, comments dropped, heredoc bodies read. */
function scan(
  text: string,
  initialEscape: EscapeChar = '\\',
): { nodes: LocatedNode[]; escape: EscapeChar; directives: Record<string, string> } {
  const lines = splitLines(text.startsWith('\ufeff') ? text.slice(1) : text);
  const directiveParser = new DirectiveParser();
  let escape = initialEscape;
  let continuation = continuationPattern(escape);
  let index = 0;
  let currentLine = 0;
  const fail = (line: number, err: unknown): never => {
    if (err instanceof LineSyntaxError || err instanceof DirectiveError || err instanceof ShellExpansionError) {
      throw new SyntaxFailure(err.message, line);
    }
    throw err;
  };
  /** BuildKit's processLine: newline trimmed, a directive noted, a comment emptied. */
  const processLine = (raw: string, stripLeft: boolean): string => {
    let line = trimNewline(raw);
    if (stripLeft) line = trimLeadingWhitespace(line);
    try {
      if (directiveParser.parseLine(line)?.name === 'escape') {
        escape = directiveParser.directives.escape as EscapeChar;
        continuation = continuationPattern(escape);
      }
    } catch (err) {
      fail(currentLine, err);
    }
    return isComment(line) ? '' : line;
  };
  /** The line without its continuation char, and whether the instruction ends there. */
  const trimContinuation = (line: string): [string, boolean] =>
    continuation.test(line) ? [line.replace(continuation, '$1'), false] : [line, true];

  const nodes: LocatedNode[] = [];
  while (index < lines.length) {
    const first = processLine(lines[index++]!, true);
    currentLine++;
    const startLine = currentLine;
    let [joined, ended] = trimContinuation(first);
    if (ended && joined.length === 0) continue;
    while (!ended && index < lines.length) {
      const raw = lines[index++]!;
      const line = processLine(raw, false);
      currentLine++;
      if (isComment(raw) || isEmptyContinuationLine(line)) continue;
      let part: string;
      [part, ended] = trimContinuation(line);
      joined += part;
    }
    let node: Node;
    try {
      node = nodeFromLine(joined, escape);
    } catch (err) {
      return fail(startLine, err);
    }
    const heredocs: LocatedNode['heredocs'] = [];
    if (canContainHeredoc(node) && joined.includes('<<')) {
      let words: ReturnType<typeof heredocsFromLine>;
      try {
        words = heredocsFromLine(joined);
      } catch (err) {
        return fail(startLine, err);
      }
      for (const word of words) {
        let content = '';
        let terminated = false;
        while (index < lines.length) {
          const raw = lines[index++]!;
          currentLine++;
          let candidate = trimNewline(raw);
          if (word.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === word.name) {
            terminated = true;
            break;
          }
          content += raw;
        }
        if (!terminated) throw new SyntaxFailure('unterminated heredoc', startLine);
        heredocs.push({ ...word, content });
      }
    }
    nodes.push({ ...node, line: startLine, text: joined, original: goTrimSpace(joined), heredocs });
  }
  if (nodes.length === 0) throw new SyntaxFailure('file with no instructions', currentLine);
  return { nodes, escape, directives: directiveParser.directives };
}

/** The escape char at the end of a line (blanks after it allowed) continues it, unless it is itself escaped. */
function continuationPattern(escape: EscapeChar): RegExp {
  const e = escape === '\\' ? '\\\\' : '`';
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);

function canContainHeredoc(node: Node): boolean {
  const target = node.command.toLowerCase() === 'onbuild' && node.trigger ? node.trigger : node;
  return HEREDOC_INSTRUCTIONS.has(target.command.toLowerCase()) && !target.json;
}
