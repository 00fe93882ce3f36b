import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCKER_HUB_KEY, DockerConfig, registryOf } from './docker-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('registryOf', () => {
  it('finds the registry as the docker CLI files credentials', () => {
    expect(registryOf('busybox')).toBe(DOCKER_HUB_KEY);
    expect(registryOf('library/busybox:1')).toBe(DOCKER_HUB_KEY);
    expect(registryOf('127.0.0.1:5000/a/b:v1')).toBe('127.0.0.1:5000');
    expect(registryOf('localhost/a')).toBe('localhost');
    expect(registryOf('registry.example/a@sha256:00')).toBe('registry.example');
  });
});

describe('DockerConfig', () => {
  it('stores, reads and removes credentials, keeping the rest of the file, with mode 0600', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { other: { auth: 'eDp5' } }, psFormat: 'table {{.ID}}' }));
    const config = await DockerConfig.open({ DOCKER_CONFIG: dir });
    await config.store('127.0.0.1:5000', { username: 'u', password: 'p:w' });
    expect((await DockerConfig.open({ DOCKER_CONFIG: dir })).credentials('127.0.0.1:5000')).toEqual({ username: 'u', password: 'p:w', serveraddress: '127.0.0.1:5000' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ psFormat: 'table {{.ID}}', auths: { other: { auth: 'eDp5' } } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await config.remove('127.0.0.1:5000')).toBe(true);
    expect(await config.remove('127.0.0.1:5000')).toBe(false);
    expect((await DockerConfig.open({ DOCKER_CONFIG: dir })).credentials('127.0.0.1:5000')).toBeUndefined();
  });

  it('refuses a registry served by a credential helper rather than bypassing it', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'r.example': 'pass' } }));
    const config = await DockerConfig.open({ DOCKER_CONFIG: dir });
    expect(() => config.credentials('r.example')).toThrow(/credential helpers are not supported by berth yet/);
    expect(config.credentials('127.0.0.1:5000')).toBeUndefined();
  });
});
