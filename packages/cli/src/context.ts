import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError } from '@berth/api';
import { BerthClient } from '@berth/client';
import { ContextStore } from './contexts/context-store.js';
import { configDir, currentContextName, endpointOf, type Endpoint, type GlobalOptions } from './contexts/endpoint.js';
import { readSettings, type CliSettings } from './docker-config.js';
import { isSshHost, sshDialer } from './ssh-dialer.js';

/** The streams a command talks to; process.stdin/stdout/stderr in the binary. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

/** What every command needs: its streams, the environment, the CLI's settings, a clock and one lazily opened client. */
export class CommandContext {
  /** The exit status the command asks for; errors it throws are reported by `main` with status 1. */
  exitCode = 0;
  /** The command being run ("network create") and its usage line, for docker's usage hints in errors. */
  command = { path: '', usage: '' };
  private connection: BerthClient | undefined;
  private settingsFile: CliSettings | undefined;

  constructor(
    readonly io: CliIo,
    readonly env: NodeJS.ProcessEnv,
    /** The global flags, read once the command line is parsed. */
    readonly globals: () => GlobalOptions,
  ) {}

  client(): BerthClient {
    if (!this.connection) {
      const endpoint = this.endpoint();
      // ssh:// is reached through the ssh command, as the docker CLI's connection helper does.
      this.connection = new BerthClient(isSshHost(endpoint.host) ? { host: endpoint.host, dial: sshDialer(endpoint.host, this.env) } : endpoint);
    }
    return this.connection;
  }

  /** Where this command's daemon is: the current context's endpoint. */
  endpoint(): Endpoint {
    const name = this.contextName();
    try {
      return endpointOf(name, this.contexts(), this.globals(), this.env);
    } catch (err) {
      throw new InvalidArgumentError(`Failed to initialize: unable to resolve docker endpoint: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The config directory (--config, DOCKER_CONFIG, ~/.docker), shared with docker. */
  configDir(): string {
    return configDir(this.globals(), this.env);
  }

  /** config.json's CLI settings (psFormat, detachKeys, currentContext…), read once. */
  settings(): CliSettings {
    this.settingsFile ??= readSettings(this.configDir(), (warning) => this.err(warning));
    return this.settingsFile;
  }

  contexts(): ContextStore {
    return new ContextStore(this.configDir());
  }

  /** The context this command uses: --context, the host variables, DOCKER_CONTEXT, then config.json's. */
  contextName(): string {
    return currentContextName(this.globals(), this.env, this.settings().currentContext);
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
