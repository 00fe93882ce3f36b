import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { convertToHostname, DOCKER_HUB_KEY, DockerConfig, readSettings, registryOf } from './docker-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A PATH holding executables of these names (scripts that exit 0). */
async function pathWith(...programs: string[]): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  for (const program of programs) {
    await writeFile(join(bin, program), '#!/bin/sh\n');
    await chmod(join(bin, program), 0o755);
  }
  return bin;
}

describe('registryOf and convertToHostname', () => {
  it('find the registry as the docker CLI files credentials', () => {
    expect(registryOf('busybox')).toBe(DOCKER_HUB_KEY);
    expect(registryOf('library/busybox:1')).toBe(DOCKER_HUB_KEY);
    expect(registryOf('127.0.0.1:5000/a/b:v1')).toBe('127.0.0.1:5000');
    expect(registryOf('localhost/a')).toBe('localhost');
    expect(registryOf('registry.example/a@sha256:00')).toBe('registry.example');
    expect(convertToHostname('https://registry.example:5000/v1/')).toBe('registry.example:5000');
    expect(convertToHostname('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});

describe('DockerConfig', () => {
  it('stores, reads and erases credentials in auths, keeping the rest of the file, with mode 0600', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { other: { auth: 'eDp5' } }, psFormat: 'table {{.ID}}' }));
    const env = { PATH: '' };
    const store = (await DockerConfig.open(dir, env)).credentialStore('127.0.0.1:5000');
    expect(store.inConfigFile).toBe(true);
    await store.store('127.0.0.1:5000', { username: 'u', password: 'p:w' });
    expect(await (await DockerConfig.open(dir, env)).credentialStore('127.0.0.1:5000').get('127.0.0.1:5000')).toEqual({ username: 'u', password: 'p:w', serveraddress: '127.0.0.1:5000' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ psFormat: 'table {{.ID}}', auths: { other: { auth: 'eDp5' } } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await store.erase('127.0.0.1:5000');
    await store.erase('127.0.0.1:5000');
    expect(await (await DockerConfig.open(dir, env)).credentialStore('127.0.0.1:5000').get('127.0.0.1:5000')).toBeUndefined();
  });

  it('finds an entry filed under a URL by its host, as docker reads old files', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://r.example/v1/': { auth: Buffer.from('a:b').toString('base64') } } }));
    const config = await DockerConfig.open(dir, { PATH: '' });
    expect(await config.credentialStore('r.example').get('r.example')).toMatchObject({ username: 'a', password: 'b' });
  });

  it('sends a registry named in credHelpers to that helper, others to credsStore', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'all', credHelpers: { 'r.example': 'one' } }));
    const config = await DockerConfig.open(dir, { PATH: '' });
    await expect(config.credentialStore('r.example').store('r.example', { username: 'u', password: 'p' })).rejects.toThrow('error storing credentials - err: exec: "docker-credential-one": executable file not found in $PATH, out: ``');
    await expect(config.credentialStore('other').erase('other')).rejects.toThrow('"docker-credential-all"');
    expect(config.credentialStore('other').inConfigFile).toBe(false);
  });

  it('picks docker\'s default helper for a file without credentials: pass when installed, else secretservice', async () => {
    const open = async (...programs: string[]): Promise<boolean> => (await DockerConfig.open(dir, { PATH: await pathWith(...programs) })).credentialStore('r').inConfigFile;
    expect(await open()).toBe(true);
    expect(await open('docker-credential-secretservice')).toBe(false);
    // pass installed without its helper: no default, though secretservice's helper is there.
    expect(await open('pass')).toBe(true);
    expect(await open('docker-credential-pass')).toBe(false);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { r: { auth: 'eDp5' } } }));
    expect(await open()).toBe(true);
  });
});

describe('readSettings', () => {
  it("reads the CLI's keys, and nothing when there is no file", async () => {
    expect(readSettings(dir, () => undefined)).toEqual({});
    await writeFile(join(dir, 'config.json'), JSON.stringify({ psFormat: 'p', imagesFormat: 'i', detachKeys: 'ctrl-a', currentContext: 'c', auths: {} }));
    expect(readSettings(dir, () => undefined)).toEqual({ psFormat: 'p', imagesFormat: 'i', detachKeys: 'ctrl-a', currentContext: 'c' });
  });

  it('warns about a file it cannot parse, as docker does, and goes on without it', async () => {
    await writeFile(join(dir, 'config.json'), '{bad');
    const warnings: string[] = [];
    expect(readSettings(dir, (text) => warnings.push(text))).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^WARNING: Error parsing config file \\(${join(dir, 'config.json')}\\): .+\n$`));
  });
});
