import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryHosts, validateRegistryHosts, type RegistryHostsConfig } from './registry-hosts.js';

const none: RegistryHostsConfig = { insecureRegistries: [], registryMirrors: [], registryMirrorsFor: {}, certsDir: '/nonexistent' };
// Names resolve here, never through the network: one to loopback, the rest to a public address.
const resolve = async (host: string) => [{ address: host === 'localhost' ? '127.0.0.1' : '192.0.2.1', family: 4 }];
const hostsWith = (config: Partial<RegistryHostsConfig>) => new RegistryHosts({ ...none, ...config }, resolve);
/** Where each endpoint is, and whether it verifies the server's certificate. */
const where = (endpoints: Array<{ url: string; mirror: boolean; tls?: { insecureSkipVerify?: boolean } }>) => endpoints.map(({ url, mirror, tls }) => ({ url, mirror, verify: tls !== undefined && !tls.insecureSkipVerify }));

describe('RegistryHosts', () => {
  let certs: string;

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'berth-certs-'));
    await mkdir(join(certs, 'secure.example:5000'));
    await writeFile(join(certs, 'secure.example:5000', 'ca.crt'), 'CA PEM');
    await writeFile(join(certs, 'secure.example:5000', 'client.cert'), 'CERT PEM');
    await writeFile(join(certs, 'secure.example:5000', 'client.key'), 'KEY PEM');
    await mkdir(join(certs, 'halfpair.example'));
    await writeFile(join(certs, 'halfpair.example', 'client.cert'), 'CERT PEM');
  });
  afterAll(() => rm(certs, { recursive: true, force: true }));

  it('reaches loopback over HTTPS without verification, then HTTP, as Docker does', async () => {
    const hosts = hostsWith({});
    expect(where(await hosts.endpoints('127.0.0.1:5000'))).toEqual([
      { url: 'https://127.0.0.1:5000', mirror: false, verify: false },
      { url: 'http://127.0.0.1:5000', mirror: false, verify: false },
    ]);
    expect((await hosts.endpoints('[::1]:5000')).map((endpoint) => endpoint.url)).toEqual(['https://[::1]:5000', 'http://[::1]:5000']);
    expect((await hosts.endpoints('localhost:5000')).map((endpoint) => endpoint.url)).toEqual(['https://localhost:5000', 'http://localhost:5000']);
    expect(where(await hosts.endpoints('registry.example'))).toEqual([{ url: 'https://registry.example', mirror: false, verify: true }]);
  });

  it('treats configured names (with their port) and CIDRs as insecure, and nothing else', async () => {
    const hosts = hostsWith({ insecureRegistries: ['myregistry:5000', 'http://other:5000', '10.1.0.0/16'] });
    expect((await hosts.endpoints('myregistry:5000')).map((endpoint) => endpoint.url)).toEqual(['https://myregistry:5000', 'http://myregistry:5000']);
    expect(where(await hosts.endpoints('myregistry:5001'))).toEqual([{ url: 'https://myregistry:5001', mirror: false, verify: true }]);
    expect((await hosts.endpoints('other:5000')).map((endpoint) => endpoint.url)).toEqual(['https://other:5000', 'http://other:5000']);
    expect(hosts.warnings).toEqual(["insecure registry http://other:5000 should not contain 'http://': it was removed"]);
    expect((await hosts.endpoints('10.1.2.3')).map((endpoint) => endpoint.url)).toEqual(['https://10.1.2.3', 'http://10.1.2.3']);
    expect(where(await hosts.endpoints('10.2.0.1:443'))).toEqual([{ url: 'https://10.2.0.1:443', mirror: false, verify: true }]);
  });

  it("adds a registry's certs.d CAs to the system's and takes its client certificate", async () => {
    const [endpoint] = await hostsWith({ certsDir: certs }).endpoints('secure.example:5000');
    expect(endpoint!.tls?.ca?.at(-1)).toBe('CA PEM');
    expect(endpoint!.tls?.ca!.length).toBeGreaterThan(100);
    expect(endpoint!.tls).toMatchObject({ cert: 'CERT PEM', key: 'KEY PEM' });
    expect(endpoint!.tls?.insecureSkipVerify).toBeUndefined();
    await expect(hostsWith({ certsDir: certs }).endpoints('halfpair.example')).rejects.toThrow('missing key client.key');
  });

  it('puts mirrors before the registry for pulls only', async () => {
    const hosts = hostsWith({ registryMirrors: ['https://hub-mirror.example'], registryMirrorsFor: { '127.0.0.1:5000': ['http://127.0.0.1:5001/'] } });
    expect((await hosts.pullEndpoints('127.0.0.1:5000')).map(({ url, mirror }) => ({ url, mirror }))).toEqual([
      { url: 'http://127.0.0.1:5001', mirror: true },
      { url: 'https://127.0.0.1:5000', mirror: false },
      { url: 'http://127.0.0.1:5000', mirror: false },
    ]);
    expect((await hosts.pullEndpoints('docker.io')).map((endpoint) => endpoint.url)).toEqual(['https://hub-mirror.example', 'https://registry-1.docker.io']);
    expect((await hosts.endpoints('127.0.0.1:5000')).some((endpoint) => endpoint.mirror)).toBe(false);
  });

  it("reports dockerd's RegistryConfig", () => {
    const info = hostsWith({ insecureRegistries: ['myregistry:5000', '10.1.0.0/16'], registryMirrors: ['https://hub-mirror.example'], registryMirrorsFor: { 'other.example': ['https://m.example'] } }).info();
    expect(info).toEqual({
      IndexConfigs: {
        'docker.io': { Name: 'docker.io', Mirrors: ['https://hub-mirror.example/'], Secure: true, Official: true },
        'myregistry:5000': { Name: 'myregistry:5000', Mirrors: [], Secure: false, Official: false },
        'other.example': { Name: 'other.example', Mirrors: ['https://m.example/'], Secure: true, Official: false },
      },
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8', '10.1.0.0/16'],
      Mirrors: ['https://hub-mirror.example/'],
    });
  });
});

describe('validateRegistryHosts', () => {
  it("refuses what dockerd refuses, in its words", () => {
    const check = (config: Partial<RegistryHostsConfig>) => () => validateRegistryHosts({ ...none, ...config });
    expect(check({ insecureRegistries: ['ftp://myregistry'] })).toThrow("insecure registry ftp://myregistry should not contain '://'");
    expect(check({ insecureRegistries: ['https://myregistry:5000'] })).not.toThrow();
    expect(check({ insecureRegistries: ['bad host'] })).toThrow('insecure registry bad host is not valid');
    expect(check({ registryMirrors: ['ftp://mirror'] })).toThrow('invalid mirror: unsupported scheme "ftp" in "ftp://mirror"');
    expect(check({ registryMirrors: ['https://user:pw@mirror'] })).toThrow('invalid mirror: username/password not allowed in URI');
    expect(check({ registryMirrors: ['https://mirror/path'] })).toThrow('invalid mirror: path, query, or fragment at end of the URI');
    expect(check({ registryMirrorsFor: { 'bad host': ['https://m'] } })).toThrow('invalid registry "bad host" in registry-mirrors-for');
    expect(check({ insecureRegistries: ['10.0.0.0/8', 'host:5000', '[::1]:5000'], registryMirrors: ['https://mirror/'] })).not.toThrow();
  });
});
