import { InternalError, ProgramFailure } from '@berth/api';
import { runProgram } from '../system-tools.js';

/** The host's `ps` with `args`: its stdout, or its complaint as an InternalError. */
export async function processTable(args: string[]): Promise<string> {
  try {
    return await runProgram('ps', args, { maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = err instanceof ProgramFailure ? err.stderr : String(err);
    throw new InternalError(`ps: ${stderr.trim()}`, { cause: err });
  }
}
