import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialHelper } from './credential-helper.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-credential-helper-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A helper `docker-credential-test` that records its action and input, then prints `answer` and exits with `status`. */
async function helper(answer: string, status = 0): Promise<CredentialHelper> {
  const script = join(dir, 'docker-credential-test');
  await writeFile(script, `#!/bin/sh\necho "$1" > ${dir}/action\ncat > ${dir}/input\nprintf '%s' '${answer}'\nexit ${status}\n`);
  await chmod(script, 0o755);
  return new CredentialHelper('test', { PATH: `${dir}:/usr/bin:/bin` });
}

const sent = async (): Promise<[string, string]> => [(await readFile(join(dir, 'action'), 'utf8')).trim(), await readFile(join(dir, 'input'), 'utf8')];

describe('CredentialHelper', () => {
  it('gets credentials, sending the server URL on stdin', async () => {
    const found = await (await helper('{"ServerURL":"r","Username":"u","Secret":"s"}')).get('r.example');
    expect(found).toEqual({ ServerURL: 'r.example', Username: 'u', Secret: 's' });
    expect(await sent()).toEqual(['get', 'r.example']);
  });

  it('reads the not-found message, or empty credentials, as none', async () => {
    expect(await (await helper('credentials not found in native keychain', 1)).get('r')).toBeUndefined();
    expect(await (await helper('{"ServerURL":"r","Username":"","Secret":""}')).get('r')).toBeUndefined();
  });

  it('stores credentials as one JSON line and erases by server URL', async () => {
    const program = await helper('');
    await program.store({ ServerURL: 'r', Username: 'u', Secret: 's' });
    expect(await sent()).toEqual(['store', '{"ServerURL":"r","Username":"u","Secret":"s"}\n']);
    await program.erase('r');
    expect(await sent()).toEqual(['erase', 'r']);
  });

  it('reports failures in docker\'s words, with the helper\'s output', async () => {
    await expect((await helper('boom\n', 3)).erase('r')).rejects.toThrow('error erasing credentials - err: exit status 3, out: `boom`');
    await expect((await helper('locked', 1)).get('r')).rejects.toThrow('error getting credentials - err: exit status 1, out: `locked`');
    await expect((await helper('no credentials username', 1)).store({ ServerURL: 'r', Username: '', Secret: 's' })).rejects.toThrow(/^no credentials username$/);
    await expect(new CredentialHelper('absent', { PATH: dir }).get('r')).rejects.toThrow('error getting credentials - err: exec: "docker-credential-absent": executable file not found in $PATH, out: ``');
  });
});
