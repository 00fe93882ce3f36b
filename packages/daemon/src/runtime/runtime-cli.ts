import { runtimeMessage } from './runtime-errors.js';
import { ProgramFailure } from '@berth/api';
import { runProgram } from '../system-tools.js';

/** A runtime command that exited non-zero, with the runtime's own message. */
export class RuntimeCommandFailure extends Error {
  constructor(
    readonly command: string,
    readonly runtimeMessage: string,
  ) {
    super(`${command}: ${runtimeMessage}`);
  }
}

/** Runs `<runtime> --root <stateRoot> …` (runc and crun share this command line). */
export class RuntimeCli {
  constructor(
    readonly name: string,
    readonly path: string,
    readonly stateRoot: string,
  ) {}

  async run(args: string[]): Promise<string> {
    try {
      return await runProgram(this.path, ['--root', this.stateRoot, ...args]);
    } catch (err) {
      if (!(err instanceof ProgramFailure)) throw err;
      throw new RuntimeCommandFailure(args[0] ?? '', runtimeMessage(err.stderr, this.name) || runtimeMessage(err.stdout, this.name) || err.message);
    }
  }
}

/** runc says "container does not exist"; crun fails to open the container's status file. */
export function isMissingContainer(failure: RuntimeCommandFailure): boolean {
  return /does not exist|not found|no such file or directory/i.test(failure.runtimeMessage);
}

export function isNotRunning(failure: RuntimeCommandFailure): boolean {
  return /not running|process already finished|no such process|container .*stopped/i.test(failure.runtimeMessage);
}
