/** An external program that could not be run or exited non-zero, with what it printed. */
export class ProgramFailure extends Error {
  /** Its exit status when it ran and exited non-zero; undefined when it could not be run or was killed. */
  readonly exitCode: number | undefined;

  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
    options: ErrorOptions & { exitCode?: number | undefined },
  ) {
    super(message, options);
    this.exitCode = options.exitCode;
  }
}

/** The exit status in a node child_process error: its `code` is a number only when the program exited non-zero. */
export function exitCodeOf(err: { code?: string | number | null | undefined }): number | undefined {
  return typeof err.code === 'number' ? err.code : undefined;
}
