import type { CommandContext } from './context.js';
import { describeError } from './error-message.js';
import { renderTemplate } from './format/go-template.js';

/**
 * docker's `inspect` of several names: what was found, as one JSON array indented by four spaces and printed
 * even when nothing was found, then one line per failure; with a `--format` template, one rendered line
 * per object found instead of the array. Returns the exit status.
 */
export async function inspectEach(
  ctx: CommandContext,
  names: string[],
  inspect: (name: string) => Promise<unknown>,
  describeFailure: (err: unknown, name: string) => string = describeError,
  format?: string,
): Promise<number> {
  const found: unknown[] = [];
  const failures: string[] = [];
  for (const name of names) {
    try {
      found.push(await inspect(name));
    } catch (err) {
      failures.push(describeFailure(err, name));
    }
  }
  if (format) ctx.out(found.map((object) => `${renderTemplate(format, object)}\n`).join(''));
  else ctx.out(`${JSON.stringify(found, null, 4)}\n`);
  for (const failure of failures) ctx.err(`${failure}\n`);
  return failures.length ? 1 : 0;
}
