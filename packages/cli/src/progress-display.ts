import type { ProgressMessage } from '@berth/api';
import { progressBar } from './format/progress-bar.js';

const ERASE_LINE = '\x1b[2K';
const cursorUp = (lines: number): string => (lines > 0 ? `\x1b[${lines}A` : '');
const cursorDown = (lines: number): string => (lines > 0 ? `\x1b[${lines}B` : '');

/** The width progress bars are drawn for when the terminal does not say, as the docker CLI. */
const UNKNOWN_WIDTH = 200;

/** Where progress goes: its writer and, on a terminal, the terminal's current width. */
export interface ProgressOutput {
  write(text: string): void;
  /** Undefined when the output is not a terminal. */
  terminalWidth(): number | undefined;
}

/**
 * Prints a daemon's progress stream as the docker CLI does (its jsonmessage display). On a terminal,
 * each layer id keeps one line, redrawn in place with cursor-up/erase escapes, bars included; a
 * message without a layer id starts a fresh block. Elsewhere, one line per status and no byte counts.
 * Aux messages (a push's digest) are not printed.
 */
export class ProgressDisplay {
  // The line of each layer id in the current block, counted from its top.
  private readonly lines = new Map<string, number>();

  constructor(private readonly output: ProgressOutput) {}

  show(message: ProgressMessage): void {
    if (message.aux !== undefined) return;
    const width = this.output.terminalWidth();
    const terminal = width !== undefined;
    let up = 0;
    if (message.id && (message.progressDetail !== undefined || message.progress)) {
      let line = this.lines.get(message.id);
      if (line === undefined) {
        line = this.lines.size;
        this.lines.set(message.id, line);
        if (terminal) this.output.write('\n');
      }
      up = this.lines.size - line;
      if (terminal) this.output.write(cursorUp(up));
    } else {
      // Earlier lines are not redrawn after one that is not a layer's (pull -a: the next tag's layers).
      this.lines.clear();
    }
    this.output.write(render(message, width));
    if (message.id && terminal) this.output.write(cursorDown(up));
  }
}

/** One message as jsonmessage's Display writes it: a terminal's progress line ends in `\r`, not `\n`. */
function render(message: ProgressMessage, width: number | undefined): string {
  const { status = '', id, progressDetail, progress, stream } = message;
  const bar = progressDetail && progressBar(progressDetail, width ?? UNKNOWN_WIDTH);
  let text = '';
  let end = '';
  if (width !== undefined && !stream && progressDetail) {
    text = `${ERASE_LINE}\r`;
    end = '\r';
  } else if (bar) {
    return '';
  }
  if (id) text += `${id}: `;
  if (progressDetail && width !== undefined) return `${text}${status} ${bar}${end}`;
  if (progress) return `${text}${status} ${progress}${end}`;
  if (stream) return `${text}${stream}${end}`;
  return `${text}${status}${end}\n`;
}

/** The progress output of a command's stdout: a terminal's width is read on every message, as it may change. */
export function progressOutput(stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): ProgressOutput {
  return {
    write: (text) => {
      if (text) stdout.write(text);
    },
    terminalWidth: () => (stdout.isTTY ? stdout.columns || UNKNOWN_WIDTH : undefined),
  };
}
