import type { Writable } from 'node:stream';

type TerminalOutput = Writable & { isTTY?: boolean; rows?: number; columns?: number };

/**
 * Keeps a container's (or exec's) TTY the size of this terminal: once now, then on every window change.
 * Resize failures are ignored, as docker does (the process may have ended).
 */
export function forwardTerminalSize(stdout: Writable, resize: (height: number, width: number) => Promise<void>): { stop(): void } {
  const terminal = stdout as TerminalOutput;
  if (!terminal.isTTY) return { stop: () => undefined };
  const send = (): void => {
    if (terminal.rows && terminal.columns) resize(terminal.rows, terminal.columns).catch(() => undefined);
  };
  send();
  terminal.on('resize', send);
  return {
    stop() {
      terminal.off('resize', send);
    },
  };
}
