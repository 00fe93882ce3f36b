import type { CommandContext } from './context.js';
import { describeError } from './error-message.js';

/**
 * Applies an action to each named container in order, as docker's start/stop/kill/rm/wait do:
 * each success prints its line (the name as given, unless the action returns another line), failures
 * are printed after the successes and make the status 1. `tolerate` marks failures that are only
 * reported (e.g. `rm -f` of a missing container).
 */
export async function forEachContainer(
  ctx: CommandContext,
  names: string[],
  action: (name: string) => Promise<string | void>,
  tolerate: (err: unknown) => boolean = () => false,
): Promise<number> {
  const failures: string[] = [];
  for (const name of names) {
    try {
      const line = await action(name);
      ctx.out(`${line ?? name}\n`);
    } catch (err) {
      if (tolerate(err)) ctx.err(`${describeError(err)}\n`);
      else failures.push(describeError(err));
    }
  }
  for (const failure of failures) ctx.err(`${failure}\n`);
  return failures.length ? 1 : 0;
}
