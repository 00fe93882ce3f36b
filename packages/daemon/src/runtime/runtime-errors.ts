import { InternalError, InvalidArgumentError } from '@berth/api';

/**
 * The runtime refused the container's configuration: its command is missing or not executable, or a mount
 * cannot be made. `exitCode` is what Docker records for such a container (127 not found, 126 not executable).
 */
export class RuntimeConfigError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly exitCode: 126 | 127,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any other failure the OCI runtime or conmon reported, carrying the runtime's own message. */
export class OciRuntimeError extends InternalError {}

/**
 * Extracts the human message from runtime output: runc's JSON log lines (`{"msg": …}`), its logfmt
 * stderr (`level=error msg="…"`), or plain text (crun). The last error wins; runc logs the cause last.
 */
export function runtimeMessage(output: string): string {
  const messages: string[] = [];
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    messages.push(messageOfLine(text));
  }
  return messages.at(-1) ?? '';
}

function messageOfLine(line: string): string {
  if (line.startsWith('{')) {
    try {
      const record = JSON.parse(line) as { msg?: unknown; message?: unknown };
      const msg = record.msg ?? record.message;
      if (typeof msg === 'string') return msg.trim();
    } catch {
      return line;
    }
  }
  const logfmt = /(?:^|\s)msg="((?:[^"\\]|\\.)*)"/.exec(line);
  if (logfmt) return JSON.parse(`"${logfmt[1]}"`) as string;
  return line;
}

/** Docker's wording and exit code for a failed create, with moby's classification of user errors. */
export function createFailure(runtimeName: string, message: string): Error {
  const text = `failed to create task for container: OCI runtime create failed: ${message}: unknown`;
  if (/executable file not found|no such file or directory|not a directory/i.test(message)) {
    return new RuntimeConfigError(text, 127);
  }
  if (/permission denied/i.test(message)) return new RuntimeConfigError(text, 126);
  return new OciRuntimeError(message === '' ? `${runtimeName} create failed` : text);
}
