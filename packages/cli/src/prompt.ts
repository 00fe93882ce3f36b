import { spawnSync } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { CliIo } from './context.js';

/** Ctrl-C at a prompt: the command ends quietly, as docker's does. */
export class PromptTerminated extends Error {}

/**
 * Asks questions on the terminal as docker's prompts do: the message, then one line read and trimmed.
 * Lines typed ahead are kept for the next question. End of input reads as an empty line.
 */
export class Prompter {
  private readonly lines: Interface;
  private readonly pending: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(private readonly io: CliIo) {
    this.lines = createInterface({ input: io.stdin, terminal: false });
    this.lines.on('line', (line) => this.deliver(line));
    this.lines.on('close', () => {
      this.ended = true;
      this.deliver(undefined);
    });
  }

  /** With `hidden` the terminal does not echo the answer (it stays line-buffered, so Ctrl-C still interrupts) and a newline follows it. */
  async ask(message: string, options: { hidden?: boolean } = {}): Promise<string> {
    const restoreEcho = options.hidden ? disableEcho() : () => undefined;
    let interrupt: () => void = () => undefined;
    try {
      this.io.stdout.write(message);
      const line = await new Promise<string | undefined>((resolve, reject) => {
        interrupt = () => reject(new PromptTerminated());
        process.once('SIGINT', interrupt);
        const typedAhead = this.pending.shift();
        if (typedAhead !== undefined || this.ended) resolve(typedAhead);
        else this.waiting = resolve;
      });
      if (options.hidden) this.io.stdout.write('\n');
      return (line ?? '').trim();
    } catch (err) {
      this.io.stdout.write('\n');
      throw err;
    } finally {
      this.waiting = undefined;
      process.off('SIGINT', interrupt);
      restoreEcho();
    }
  }

  close(): void {
    this.lines.close();
  }

  private deliver(line: string | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(line);
    else if (line !== undefined) this.pending.push(line);
  }
}

/** docker's confirmation before a prune: the warning and `[y/N]` on stdout, one line read; only `y` goes on (declining ends with status 0). */
export async function confirm(io: CliIo, warning: string): Promise<boolean> {
  const prompter = new Prompter(io);
  const answer = await prompter.ask(`${warning} [y/N] `).finally(() => prompter.close());
  return answer.toLowerCase() === 'y';
}

/** Turns the controlling terminal's echo off (stty on our stdin); returns how to restore its settings. */
function disableEcho(): () => void {
  const saved = spawnSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8' });
  if (saved.status !== 0) return () => undefined;
  spawnSync('stty', ['-echo'], { stdio: ['inherit', 'ignore', 'ignore'] });
  // Whatever ends the process, the terminal must echo again.
  const restore = (): void => {
    spawnSync('stty', [saved.stdout.trim()], { stdio: ['inherit', 'ignore', 'ignore'] });
  };
  process.once('exit', restore);
  return () => {
    process.off('exit', restore);
    restore();
  };
}
