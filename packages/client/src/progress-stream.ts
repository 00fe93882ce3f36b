import type { Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';
import { daemonError } from './daemon-errors.js';
import { readJsonLines } from './json-lines.js';

/** The messages of a progress stream (load, import); an error line is the daemon's failure and is thrown. */
export async function* readProgress(stream: Readable): AsyncGenerator<ProgressMessage> {
  for await (const message of readJsonLines<ProgressMessage>(stream)) {
    if (message.error || message.errorDetail) throw daemonError(500, message.errorDetail?.message ?? message.error ?? '');
    yield message;
  }
}
