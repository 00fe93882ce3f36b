/** An external program that could not be run or exited non-zero, with what it printed. */
export class ProgramFailure extends Error {
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
    options: ErrorOptions,
  ) {
    super(message, options);
  }
}
