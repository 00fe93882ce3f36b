/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`), after BuildKit's DirectiveParser: they count only
 * in the comment lines at the very top; the first other line (a blank one too) ends them.
 */
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN = new Set(['syntax', 'escape', 'check']);

export class DirectiveError extends Error {}

export class DirectiveParser {
  private done = false;
  readonly directives: Record<string, string> = {};

  /** Reads one line (newline and leading blanks already trimmed); returns the directive it set, if any. */
  parseLine(line: string): { name: string; value: string } | undefined {
    if (this.done) return undefined;
    const match = line.startsWith('#') ? DIRECTIVE.exec(line.slice(1).trimStart()) : null;
    const name = match?.[1]!.toLowerCase();
    if (!match || !name || !KNOWN.has(name)) {
      this.done = true;
      return undefined;
    }
    if (name in this.directives) throw new DirectiveError(`only one ${name} parser directive can be used`);
    const value = match[2]!;
    if (name === 'escape' && value !== '`' && value !== '\\') {
      throw new DirectiveError(`invalid escape token '${value}' does not match \` or \\`);
    }
    this.directives[name] = value;
    return { name, value };
  }
}
