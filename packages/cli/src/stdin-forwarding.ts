import type { Writable } from 'node:stream';
import type { CliIo } from './context.js';

/**
 * Copies the terminal's (or pipe's) input to a container's stdin. At input EOF the connection is
 * half-closed, as docker closes the write side, so the container sees EOF yet its output still
 * arrives. With a TTY the terminal goes raw so keys reach the container unprocessed.
 */
export function forwardStdin(stdin: CliIo['stdin'], destination: Writable, tty: boolean): { stop(): void } {
  const raw = tty && stdin.isTTY === true && stdin.setRawMode !== undefined;
  // Whatever ends the process (an exit from elsewhere included), the terminal must not stay raw.
  const restore = (): void => {
    if (raw) stdin.setRawMode?.(false);
  };
  if (raw) {
    stdin.setRawMode?.(true);
    process.once('exit', restore);
  }
  stdin.pipe(destination);
  return {
    stop() {
      stdin.unpipe(destination);
      restore();
      process.off('exit', restore);
      // Reading stdin keeps the process alive; nothing more is wanted from it once the container is gone.
      stdin.destroy();
    },
  };
}
