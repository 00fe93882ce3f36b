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
 * crun's are put in runc's words; runc's (and its hooks') are kept as they are.
 */
export function runtimeMessage(output: string, runtimeName: string): string {
  const messages: string[] = [];
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    const message = messageOfLine(text);
    messages.push(runtimeName === 'crun' ? inRuncWords(message) : message);
  }
  return messages.at(-1) ?? '';
}

/**
 * crun's words for a process that cannot start, in runc's (which Docker users see, and the docker CLI
 * reads: "executable file not found" and "no such file or directory" make `run` exit 127, "permission
 * denied" 126). crun words errno as strerror does, capitalised; Go lowercases it.
 */
export function inRuncWords(message: string): string {
  const notFound = /^executable file `(.*)` not found in \$PATH: No such file or directory$/.exec(message);
  if (notFound) {
    const command = notFound[1]!;
    return command.includes('/') ? `exec: "${command}": stat ${command}: no such file or directory` : `exec: "${command}": executable file not found in $PATH`;
  }
  // A directory or a file without the x bit: crun's open(2) fails with EPERM or EACCES.
  if (/^open executable: (Permission denied|Operation not permitted)$/.test(message)) return 'open executable: permission denied';
  return message.replace(/: ([A-Z])([a-z]+(?: [a-z]+)*)$/, (_, first: string, rest: string) => `: ${first.toLowerCase()}${rest}`);
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
