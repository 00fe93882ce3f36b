import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, sshCommand } from './ssh-dialer.js';

describe('sshCommand', () => {
  it("runs the remote berth's dial-stdio as docker's connection helper runs docker's", () => {
    expect(sshCommand('ssh://me@host:2222/run/x.sock')).toEqual(['-o', 'ConnectTimeout=30', '-T', '-l', 'me', '-p', '2222', '--', 'host', 'berth', '--host', 'unix:///run/x.sock', 'system', 'dial-stdio']);
    expect(sshCommand('ssh://host')).toEqual(['-o', 'ConnectTimeout=30', '-T', '--', 'host', 'berth', 'system', 'dial-stdio']);
  });

  it('quotes the socket path for the remote shell, so that it cannot run anything', () => {
    const args = sshCommand("ssh://host/x;touch${IFS}/tmp/pwned;'$(id)'");
    const remote = args.slice(args.indexOf('host') + 1).join(' ');
    // The remote shell reads the line back as the same words.
    const words = execFileSync('sh', ['-c', `printf '%s\\n' ${remote}`], { encoding: 'utf8' }).trimEnd().split('\n');
    expect(words).toEqual(['berth', '--host', "unix:///x;touch${IFS}/tmp/pwned;'$(id)'", 'system', 'dial-stdio']);
  });

  it('refuses a password in the URL, as docker does', () => {
    expect(() => sshCommand('ssh://me:secret@host')).toThrow('plain-text password is not supported');
  });
});

describe('shellQuote', () => {
  it.each([
    ['plain/path.sock', 'plain/path.sock'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
  ])('%s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});
