import { CommanderError } from 'commander';
import type { CliIo } from './context.js';
import { describeError } from './error-message.js';
import { FlagValueError, flagValueFailure } from './flag-value-error.js';
import { buildProgram } from './program.js';

/** docker's status for a command line it cannot parse. */
const USAGE_ERROR_EXIT_CODE = 125;

/** Runs one `berth` invocation and returns its exit status. */
export async function main(argv: string[], io: CliIo = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { program, ctx } = buildProgram(io, env);
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end parsing with status 0; help shown for a missing command keeps commander's 1.
      return err.exitCode === 0 || err.code === 'commander.help' ? err.exitCode : USAGE_ERROR_EXIT_CODE;
    }
    if (err instanceof FlagValueError) {
      io.stderr.write(flagValueFailure(err, ctx.command));
      return USAGE_ERROR_EXIT_CODE;
    }
    io.stderr.write(`${describeError(err)}\n`);
    return 1;
  } finally {
    ctx.close();
  }
}
