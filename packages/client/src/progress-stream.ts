import type { Readable } from 'node:stream';
import { InternalError, type ProgressMessage } from '@berth/api';
import { markReportedByDaemon } from './daemon-errors.js';
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

/** The messages of a progress stream (load, import, pull, build); an error line is the daemon's failure and is thrown. */
export async function* readProgress(stream: Readable): AsyncGenerator<ProgressMessage> {
  for await (const message of readJsonLines<ProgressMessage>(stream)) {
    if (message.error || message.errorDetail) {
      const code = message.errorDetail?.code;
      throw markReportedByDaemon(new ProgressStreamError(message.errorDetail?.message ?? message.error ?? '', code || undefined));
    }
    yield message;
  }
}
