import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, contextEndpoint, currentContextName, defaultEndpoint } from './endpoint.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-endpoint-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('currentContextName', () => {
  it("follows docker's order: --context, then -H or a host variable (the default context), DOCKER_CONTEXT, config.json", () => {
    expect(currentContextName({ context: 'a' }, { DOCKER_HOST: 'unix:///x', DOCKER_CONTEXT: 'b' }, 'c')).toBe('a');
    expect(currentContextName({ host: 'unix:///x' }, { DOCKER_CONTEXT: 'b' }, 'c')).toBe('default');
    expect(currentContextName({}, { DOCKER_HOST: 'unix:///x', DOCKER_CONTEXT: 'b' }, 'c')).toBe('default');
    expect(currentContextName({}, { BERTH_HOST: 'unix:///x' }, 'c')).toBe('default');
    expect(currentContextName({}, { DOCKER_HOST: '', DOCKER_CONTEXT: 'b' }, 'c')).toBe('b');
    expect(currentContextName({}, {}, 'c')).toBe('c');
    expect(currentContextName({}, {}, undefined)).toBe('default');
  });

  it('refuses --host with --context, in docker words', () => {
    expect(() => currentContextName({ host: 'unix:///x', context: 'a' }, {}, undefined)).toThrow('conflicting options: cannot specify both --host and --context');
  });
});

describe('configDir', () => {
  it('is --config, else DOCKER_CONFIG, else ~/.docker', () => {
    expect(configDir({ config: '/a' }, { DOCKER_CONFIG: '/b' })).toBe('/a');
    expect(configDir({}, { DOCKER_CONFIG: '/b' })).toBe('/b');
    expect(configDir({}, {})).toMatch(/\/\.docker$/);
  });
});

describe('defaultEndpoint', () => {
  it('has no TLS unless a flag or variable asks for it', () => {
    expect(defaultEndpoint({ host: 'tcp://h:1' }, { DOCKER_HOST: 'unix:///ignored' })).toEqual({ host: 'tcp://h:1' });
    expect(defaultEndpoint({}, { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///d' })).toEqual({ host: 'unix:///b' });
  });

  it('reads DOCKER_CERT_PATH for --tlsverify, and leaves out a default client certificate that is not there', async () => {
    await writeFile(join(dir, 'ca.pem'), 'CA');
    const endpoint = defaultEndpoint({}, { DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect(endpoint).toEqual({ host: 'tcp://h:1', tls: { ca: Buffer.from('CA'), verify: true } });
    await writeFile(join(dir, 'cert.pem'), 'CERT');
    await writeFile(join(dir, 'key.pem'), 'KEY');
    expect(defaultEndpoint({ tlsverify: true }, { DOCKER_CERT_PATH: dir }).tls).toEqual({ ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY'), verify: true });
  });

  it('encrypts without verifying for --tls and for an explicit --tlsverify=false, still reading the CA file as docker does', async () => {
    await writeFile(join(dir, 'ca.pem'), 'CA');
    expect(defaultEndpoint({ tls: true }, { DOCKER_CERT_PATH: dir }).tls).toEqual({ ca: Buffer.from('CA'), verify: false });
    expect(defaultEndpoint({ tlsverify: false }, { DOCKER_CERT_PATH: dir, DOCKER_TLS_VERIFY: '1' }).tls).toEqual({ ca: Buffer.from('CA'), verify: false });
    expect(() => defaultEndpoint({ tls: true, tlscacert: join(dir, 'none.pem') }, {})).toThrow(`open ${join(dir, 'none.pem')}: no such file or directory`);
    await rm(join(dir, 'ca.pem'));
    expect(() => defaultEndpoint({ tls: true }, { DOCKER_CERT_PATH: dir })).toThrow(`open ${join(dir, 'ca.pem')}: no such file or directory`);
  });
});

describe('contextEndpoint', () => {
  it('uses TLS when the context holds TLS material or skips verification', () => {
    const meta = (SkipTLSVerify: boolean) => ({ Name: 'c', Metadata: {}, Endpoints: { docker: { Host: 'tcp://h:2376', SkipTLSVerify } } });
    expect(contextEndpoint({ meta: meta(false), tls: {} })).toEqual({ host: 'tcp://h:2376' });
    expect(contextEndpoint({ meta: meta(true), tls: {} })).toEqual({ host: 'tcp://h:2376', tls: { verify: false } });
    expect(contextEndpoint({ meta: meta(false), tls: { 'ca.pem': Buffer.from('CA') } })).toEqual({ host: 'tcp://h:2376', tls: { ca: Buffer.from('CA'), verify: true } });
  });
});
