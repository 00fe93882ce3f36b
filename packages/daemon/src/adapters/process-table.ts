import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InternalError } from '@berth/api';

/** The one module of the daemon's host adapters that runs an external program: the host's ps(1). */
const execFileAsync = promisify(execFile);

/** The host's `ps` with `args` (an argument vector, never a shell): its stdout, or its stderr as an InternalError. */
export async function processTable(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ps', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new InternalError(`ps: ${stderr.trim()}`, { cause: err });
  }
}
