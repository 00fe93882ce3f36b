import { execFile } from 'node:child_process';
import { runtimeMessage } from './runtime-errors.js';

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
    readonly path: string,
    readonly stateRoot: string,
  ) {}

  run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.path, ['--root', this.stateRoot, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          const message = runtimeMessage(stderr) || runtimeMessage(stdout) || err.message;
          reject(new RuntimeCommandFailure(args[0] ?? '', message));
          return;
        }
        resolve(stdout);
      });
    });
  }
}

/** runc says "container does not exist"; crun fails to open the container's status file. */
export function isMissingContainer(failure: RuntimeCommandFailure): boolean {
  return /does not exist|not found|no such file or directory/i.test(failure.runtimeMessage);
}

export function isNotRunning(failure: RuntimeCommandFailure): boolean {
  return /not running|process already finished|no such process|container .*stopped/i.test(failure.runtimeMessage);
}
