import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { OciRuntimeError } from './runtime-errors.js';

/** An executable's absolute path, looked up in $PATH: conmon execs the runtime without a PATH lookup. */
export function resolveExecutable(command: string): string {
  if (isAbsolute(command)) return command;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  throw new OciRuntimeError(`${command}: executable file not found in $PATH`);
}
