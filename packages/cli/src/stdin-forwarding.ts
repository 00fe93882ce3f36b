import type { Writable } from 'node:stream';
import type { CliIo } from './context.js';

/**
 * Copies the terminal's (or pipe's) input to a container's stdin. At input EOF the connection is
 * half-closed, as docker closes the write side, so the container sees EOF yet its output still
 * arrives. With a TTY the terminal goes raw so keys reach the container unprocessed.
 */
export function forwardStdin(stdin: CliIo['stdin'], destination: Writable, tty: boolean): { stop(): void } {
  const raw = tty && stdin.isTTY === true && stdin.setRawMode !== undefined;
  if (raw) stdin.setRawMode?.(true);
  stdin.pipe(destination);
  return {
    stop() {
      stdin.unpipe(destination);
      if (raw) stdin.setRawMode?.(false);
      // Reading stdin keeps the process alive; nothing more is wanted from it once the container is gone.
      stdin.destroy();
    },
  };
}
