import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { describeError } from './error-message.js';
import { checkTemplate, goJson, renderTemplate } from './format/go-template.js';
import { INSPECT_FORMAT_HELP } from './format/format-help.js';

/** docker's inspect commands exit with 64 (EX_USAGE) for a template they cannot parse. */
const TEMPLATE_ERROR_EXIT_CODE = 64;

/**
 * docker's `inspect` of several names: what was found, as one JSON array indented by four spaces and printed
 * even when nothing was found, then one line per failure; with a `--format` template, one rendered line
 * per object found instead of the array (`--format json`: the array on one line); a template that does not parse
 * is refused before anything is asked.
 * Returns the exit status.
 */
export async function inspectEach(
  ctx: CommandContext,
  names: string[],
  inspect: (name: string) => Promise<unknown>,
  describeFailure: (err: unknown, name: string) => string = describeError,
  format?: string,
): Promise<number> {
  if (format && format !== 'json') {
    try {
      checkTemplate(format);
    } catch (err) {
      ctx.err(`${describeError(err)}\n`);
      return TEMPLATE_ERROR_EXIT_CODE;
    }
  }
  const found: unknown[] = [];
  const failures: string[] = [];
  for (const name of names) {
    try {
      found.push(await inspect(name));
    } catch (err) {
      failures.push(describeFailure(err, name));
    }
  }
  if (format === 'json') ctx.out(`${goJson(found)}\n`);
  else if (format) ctx.out(found.map((object) => `${renderTemplate(format, object)}\n`).join(''));
  else ctx.out(`${goJson(found, 4)}\n`);
  for (const failure of failures) ctx.err(`${failure}\n`);
  return failures.length ? 1 : 0;
}

/** `container inspect`, `image inspect`, `volume inspect`: one kind of object, looked up by `inspect`. */
export function defineInspect(parent: Command, kind: 'container' | 'image' | 'volume', ctx: CommandContext, inspect: (name: string) => Promise<unknown>): void {
  parent
    .command('inspect')
    .description(`Display detailed information on one or more ${kind}s`)
    .argument(`<${kind}...>`)
    .option('-f, --format <string>', INSPECT_FORMAT_HELP)
    .action(async (names: string[], options: { format?: string }) => {
      ctx.exitCode = await inspectEach(ctx, names, inspect, undefined, options.format);
    });
}
