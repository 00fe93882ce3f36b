/**
 * `docker run`'s status when the container could not be created or started: 127 when the command
 * was not found, 126 when it could not be executed, 125 for any other failure of the engine.
 */
export function runFailureExitCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}
