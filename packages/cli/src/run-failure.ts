import { isDaemonError } from '@berth/client';
import type { CommandContext } from './context.js';
import { describeError } from './error-message.js';
import { FlagValueError, flagValueFailure } from './flag-value-error.js';
import { runFailureExitCode } from './run-exit-code.js';

/**
 * Prints a failure of `run` or `create` as docker (28) does and returns docker's status for it: a flag
 * value refused while parsing comes with the usage line, anything else after "berth: "; only the daemon's
 * errors can be a missing or unrunnable command (127, 126), the CLI's own are 125.
 */
export function reportRunFailure(ctx: CommandContext, err: unknown): number {
  if (err instanceof FlagValueError) {
    ctx.err(flagValueFailure(err, ctx.command));
    return 125;
  }
  const message = describeError(err);
  ctx.err(`berth: ${message}\n\nRun 'berth ${ctx.command.path} --help' for more information\n`);
  return isDaemonError(err) ? runFailureExitCode(message) : 125;
}
