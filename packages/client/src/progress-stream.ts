import type { Readable } from 'node:stream';
import { InternalError, type ProgressMessage } from '@berth/api';
import { readJsonLines } from './json-lines.js';

/** An error line of a progress stream. A failed build step carries the exit code of its command, which docker exits with. */
export class ProgressStreamError extends InternalError {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/**
 * The messages of a progress stream (load, import, pull, push, build); an error line is thrown. docker prints such
 * an error as it came, without the "Error response from daemon" of a refused request.
 */
export async function* readProgress(stream: Readable): AsyncGenerator<ProgressMessage> {
  for await (const message of readJsonLines<ProgressMessage>(stream)) {
    if (message.error || message.errorDetail) {
      const code = message.errorDetail?.code;
      throw new ProgressStreamError(message.errorDetail?.message ?? message.error ?? '', code || undefined);
    }
    yield message;
  }
}
