import type { Readable } from 'node:stream';
import { DEFAULT_DETACH_KEYS, DetachKeysFilter, parseDetachKeys } from '@berth/api';

/**
 * Notices the detach sequence in what the user types. The daemon detaches on it; the CLI needs to know
 * that the output ended because of it, not because the container exited, so it returns at once.
 */
export function watchDetachKeys(stdin: Readable, keys = DEFAULT_DETACH_KEYS): { detached(): boolean; stop(): void } {
  const filter = new DetachKeysFilter(parseDetachKeys(keys));
  let detached = false;
  filter.once('detach', () => (detached = true));
  filter.resume();
  const onData = (chunk: Buffer): void => {
    filter.write(chunk);
  };
  stdin.on('data', onData);
  return {
    detached: () => detached,
    stop() {
      stdin.off('data', onData);
      filter.destroy();
    },
  };
}
