import { spawn } from 'node:child_process';
import { InvalidArgumentError } from '@berth/api';

// The messages the helpers' protocol standardises (docker-credential-helpers' credentials package).
const NOT_FOUND = 'credentials not found in native keychain';
const PROTOCOL_ERRORS = ['no credentials server URL', 'no credentials username'];

/** What a helper keeps for a server: its `get` answer and its `store` input. */
export interface HelperCredentials {
  ServerURL: string;
  Username: string;
  Secret: string;
}

/**
 * A docker credential helper, the program `docker-credential-<name>` on the PATH, spoken to as docker
 * does: the action as its argument, the server URL (or the credentials as JSON) on stdin, the answer
 * on stdout; a failure is reported with the helper's output, in docker's words.
 */
export class CredentialHelper {
  readonly program: string;

  constructor(
    name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.program = `docker-credential-${name}`;
  }

  /** The server's credentials; undefined when the helper has none. */
  async get(serverUrl: string): Promise<HelperCredentials | undefined> {
    const { failure, output } = await this.run('get', serverUrl);
    if (failure) {
      if (output === NOT_FOUND) return undefined;
      throw this.error('getting', failure, output);
    }
    const answer = JSON.parse(output) as Partial<HelperCredentials>;
    // Some helpers (pass before 0.7) answer an unknown server with empty credentials.
    if (!answer.Username && !answer.Secret) return undefined;
    return { ServerURL: serverUrl, Username: answer.Username ?? '', Secret: answer.Secret ?? '' };
  }

  async store(credentials: HelperCredentials): Promise<void> {
    const { failure, output } = await this.run('store', `${JSON.stringify(credentials)}\n`);
    if (failure) throw this.error('storing', failure, output);
  }

  async erase(serverUrl: string): Promise<void> {
    const { failure, output } = await this.run('erase', serverUrl);
    if (failure) throw this.error('erasing', failure, output);
  }

  private error(doing: string, failure: string, output: string): InvalidArgumentError {
    if (PROTOCOL_ERRORS.includes(output)) return new InvalidArgumentError(output);
    return new InvalidArgumentError(`error ${doing} credentials - err: ${failure}, out: \`${output}\``);
  }

  /** Runs one action; `failure` is how Go's exec describes a failed run, `output` the trimmed stdout. */
  private run(action: string, input: string): Promise<{ failure: string | undefined; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(this.program, [action], { env: this.env, stdio: ['pipe', 'pipe', 'inherit'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stdin.on('error', () => undefined);
      child.on('error', (err: NodeJS.ErrnoException) => {
        const reason = err.code === 'ENOENT' ? 'executable file not found in $PATH' : err.message;
        resolve({ failure: `exec: "${this.program}": ${reason}`, output: '' });
      });
      child.on('close', (code, signal) => {
        const output = Buffer.concat(chunks).toString('utf8').trim();
        if (code === 0) resolve({ failure: undefined, output });
        else resolve({ failure: signal ? `signal: ${signal}` : `exit status ${code}`, output });
      });
      child.stdin.end(input);
    });
  }
}
