import type { Writable } from 'node:stream';

type TerminalOutput = Writable & { isTTY?: boolean; rows?: number; columns?: number };

/**
 * This terminal's `[rows, columns]`, which docker sends at create (ConsoleSize) so that a TTY starts at that size
 * rather than 0x0 until the first resize arrives; undefined off a terminal.
 */
export function terminalSize(stdout: Writable): [number, number] | undefined {
  const terminal = stdout as TerminalOutput;
  return terminal.isTTY && terminal.rows && terminal.columns ? [terminal.rows, terminal.columns] : undefined;
}

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
