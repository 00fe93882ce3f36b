import { spawn } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';
import { InvalidArgumentError } from '@berth/api';
import type { Dialer } from '@berth/client';

/** ssh:// daemon addresses, which the docker CLI reaches through the ssh command. */
export function isSshHost(host: string): boolean {
  return host.toLowerCase().startsWith('ssh://');
}

/**
 * The ssh command line docker's connection helper runs for `ssh://[user@]host[:port][/socket]`: the remote CLI's
 * `system dial-stdio` relays the connection to the daemon there (the socket named in the path, else its default).
 * berth runs the remote `berth`, as docker runs the remote `docker`.
 */
export function sshCommand(host: string): string[] {
  let url: URL;
  try {
    url = new URL(host);
  } catch (cause) {
    throw new InvalidArgumentError(`invalid ssh URL "${host}"`, { cause });
  }
  if (!url.hostname) throw new InvalidArgumentError(`no host specified in "${host}"`);
  if (url.password) throw new InvalidArgumentError('plain-text password is not supported');
  if (url.search || url.hash) throw new InvalidArgumentError(`extra path after the host: "${host}"`);
  const path = decodeURIComponent(url.pathname);
  return [
    '-o',
    'ConnectTimeout=30',
    '-T',
    ...(url.username ? ['-l', decodeURIComponent(url.username)] : []),
    ...(url.port ? ['-p', url.port] : []),
    '--',
    url.hostname.replace(/^\[(.*)\]$/, '$1'),
    // ssh hands the remote command to the remote user's shell as one line: each word is quoted for it.
    ...['berth', ...(path && path !== '/' ? ['--host', `unix://${path}`] : []), 'system', 'dial-stdio'].map(shellQuote),
  ];
}

/** A word as a POSIX shell reads it back unchanged: plain when it is safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Connections to the daemon through ssh, one ssh process each (pooled by the client while they stay open). An ssh
 * that fails ends its connection with docker's message and what ssh wrote on stderr.
 */
export function sshDialer(host: string, env: NodeJS.ProcessEnv): Dialer {
  const args = sshCommand(host);
  return () => {
    const child = spawn('ssh', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // The output ends only once ssh's exit status is known, so that a failed ssh fails the connection with its reason.
    const output = new PassThrough();
    child.stdout.pipe(output, { end: false });
    // Writes go through a stream of our own too: ssh's stdin closing when it exits must not end the connection first.
    const input = new PassThrough();
    input.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    const connection = Duplex.from({ readable: output, writable: input });
    const fail = (reason: string): void => {
      connection.destroy(new Error(`error during connect: command [ssh ${args.join(' ')}] ${reason}, make sure the URL is valid, and berth is installed on the remote host: stderr=${stderr.trim()}`));
    };
    child.on('error', (err) => fail(`could not start: ${err.message}`));
    child.on('close', (code) => {
      if (code) fail(`has exited with exit status ${code}`);
      else output.end();
    });
    // The client closes pooled connections when it is done: ssh goes with them.
    connection.on('close', () => {
      if (child.exitCode === null) child.kill();
    });
    return connection;
  };
}
