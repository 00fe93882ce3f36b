import type { CommandContext } from './context.js';
import { describeError } from './error-message.js';
import { FlagValueError } from './flag-value-error.js';
import { runFailureExitCode } from './run-exit-code.js';

/**
 * Prints a failure of `run` or `create` as docker (28) does and returns docker's status for it: a flag
 * value refused while parsing comes with the usage line, anything else after "berth: ".
 */
export function reportRunFailure(ctx: CommandContext, command: 'run' | 'create', err: unknown): number {
  const help = `Run 'berth ${command} --help' for more information`;
  if (err instanceof FlagValueError) {
    ctx.err(`${err.message}\n\nUsage:  berth ${command} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n${help}\n`);
    return 125;
  }
  const message = describeError(err);
  ctx.err(`berth: ${message}\n\n${help}\n`);
  return runFailureExitCode(message);
}
