import type { Readable, Writable } from 'node:stream';
import { BerthClient, defaultHost } from '@berth/client';

/** The streams a command talks to; process.stdin/stdout/stderr in the binary. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

/** What every command needs: its streams, the environment, a clock and one lazily opened client. */
export class CommandContext {
  /** The exit status the command asks for; errors it throws are reported by `main` with status 1. */
  exitCode = 0;
  /** The command being run ("network create") and its usage line, for docker's usage hints in errors. */
  command = { path: '', usage: '' };
  private connection: BerthClient | undefined;

  constructor(
    readonly io: CliIo,
    readonly env: NodeJS.ProcessEnv,
    private readonly hostOption: () => string | undefined,
  ) {}

  client(): BerthClient {
    this.connection ??= new BerthClient({ host: this.hostOption() || defaultHost(this.env) });
    return this.connection;
  }

  now(): number {
    return Date.now();
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  close(): void {
    this.connection?.close();
  }
}
