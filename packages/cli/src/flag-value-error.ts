import { InvalidArgumentError } from '@berth/api';

/** A flag value the docker CLI refuses while parsing its flags; printed with the command's usage line, as pflag errors are. */
export class FlagValueError extends InvalidArgumentError {
  constructor(flag: string, value: string, reason: string) {
    super(`invalid argument "${value}" for "${flag}" flag: ${reason}`);
  }
}

/** Checks each value of a repeatable flag with docker's validator for it, returning the values it normalised. */
export function validateEach(flag: string, values: string[] | undefined, validate: (value: string) => string): string[] {
  return (values ?? []).map((value) => {
    try {
      return validate(value);
    } catch (err) {
      throw new FlagValueError(flag, value, (err as Error).message);
    }
  });
}

/** How docker prints a FlagValueError: the message, the command's usage line and the help hint. */
export function flagValueFailure(err: FlagValueError, command: { path: string; usage: string }): string {
  return `${err.message}\n\n${`Usage:  berth ${command.path} ${command.usage}`.trimEnd()}\n\nRun 'berth ${command.path} --help' for more information\n`;
}
