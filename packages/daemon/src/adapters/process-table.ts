import { InternalError, InvalidArgumentError, ProgramFailure } from '@berth/api';
import { runProgram } from '../system-tools.js';

/**
 * The host's `ps` with `args`: its stdout. A `ps` that ran and exited non-zero refused the arguments the
 * client chose (`docker top` passes them through): an InvalidArgumentError with its complaint. One that
 * could not run at all is an InternalError.
 */
export async function processTable(args: string[]): Promise<string> {
  try {
    return await runProgram('ps', args, { maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = err instanceof ProgramFailure ? err.stderr.trim() : '';
    const exitCode = err instanceof ProgramFailure ? err.exitCode : undefined;
    if (exitCode !== undefined) throw new InvalidArgumentError(`ps: ${stderr || `exited with status ${exitCode}`}`, { cause: err });
    throw new InternalError(`ps: ${stderr || String(err)}`, { cause: err });
  }
}
