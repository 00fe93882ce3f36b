/**
 * Here-document words (`<<EOF`, `<<-EOF`, `<<"EOF"`), after BuildKit's parser: which words of a line
 * open a heredoc, the delimiter, whether the body is expanded (unquoted delimiter) and tab chomping.
 */
import { ShellLex } from './shell-lex.js';

export interface HeredocWord {
  name: string;
  /** `<<-`: leading tabs are stripped from the body and the terminator. */
  chomp: boolean;
  expand: boolean;
}

const HEREDOC = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const NO_ENV: ReadonlyMap<string, string> = new Map();

/** The heredoc a single word opens, if it is one. */
export function parseHeredoc(word: string): HeredocWord | undefined {
  const match = HEREDOC.exec(word);
  const rest = match?.[3];
  if (!rest) return undefined;
  // Lexing the word with and without its quotes tells whether any part of the delimiter was quoted.
  const unquoted = new ShellLex('\\', { skipUnsetEnv: true }).processWords(rest, NO_ENV);
  if (unquoted.length !== 1) return undefined;
  const raw = new ShellLex('\\', { skipUnsetEnv: true, rawQuotes: true }).processWords(rest, NO_ENV);
  const name = unquoted[0]!;
  return { name, chomp: match[2] === '-', expand: countQuotes(name) === countQuotes(raw[0] ?? '') };
}

/** The heredocs a whole instruction line opens, in order. */
export function heredocsFromLine(line: string): HeredocWord[] {
  let words: string[];
  try {
    words = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).processWords(line, NO_ENV);
  } catch {
    return [];
  }
  return words.map(parseHeredoc).filter((heredoc) => heredoc !== undefined);
}

/** `<<-`: every line's leading tabs go. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}

function countQuotes(text: string): number {
  return (text.match(/['"]/g) ?? []).length;
}
