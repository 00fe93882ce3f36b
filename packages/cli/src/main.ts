import { CommanderError } from 'commander';
import type { CliIo } from './context.js';
import { describeError } from './error-message.js';
import { FlagValueError, flagValueFailure } from './flag-value-error.js';
import { buildProgram } from './program.js';
import { CommandLineError, USAGE_ERROR_EXIT_CODE, describeCommandLineError } from './usage-error.js';

/** Runs one `berth` invocation and returns its exit status. */
export async function main(argv: string[], io: CliIo = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { program, ctx } = buildProgram(io, env, argv);
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommandLineError) {
      const { text, exitCode } = describeCommandLineError(err, argv);
      io.stderr.write(text);
      return exitCode;
    }
    // Help and --version end parsing; as docker, a group without its command shows its help (on stderr) with status 0 too.
    if (err instanceof CommanderError) return err.code === 'commander.help' ? 0 : err.exitCode;
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
