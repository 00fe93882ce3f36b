import { PassThrough, type Readable } from 'node:stream';
import { DetachKeysFilter } from '@berth/api';

/**
 * What an attached client sends, as the container's (or exec's) stdin. Only with a TTY is the detach
 * sequence watched for, as Docker does: piped input is binary and may hold any bytes. A detach drops the
 * client (`detach`) and leaves the stdin open; a client gone without half-closing ends it, as its EOF would.
 */
export function clientStdin(source: Readable, options: { tty: boolean; detachKeys: Buffer; detach(): void }): Readable {
  const stdin = options.tty ? new DetachKeysFilter(options.detachKeys) : new PassThrough();
  let detached = false;
  stdin.once('detach', () => {
    detached = true;
    source.unpipe(stdin);
    options.detach();
  });
  source.once('close', () => {
    if (!detached && !stdin.writableEnded) stdin.end();
  });
  return source.pipe(stdin);
}
