import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from '@berth/layer';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseListenAddress, readConfigFile, resolveConfig } from './config.js';

describe('daemon config', () => {
  it('layers defaults, file and flags', () => {
    const config = resolveConfig({ dataRoot: '/file', runtime: 'crun' }, { dataRoot: '/flag' });
    expect(config.dataRoot).toBe('/flag');
    expect(config.runtime).toBe('crun');
    expect(config.execRoot).toBe(DEFAULT_CONFIG.execRoot);
  });

  it('takes the sample daemon.json the repository ships, which spells out the defaults', async () => {
    const sample = fileURLToPath(new URL('../../../packaging/daemon.json', import.meta.url));
    const { maxLayerSize, ...config } = resolveConfig(await readConfigFile(sample), {});
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(maxLayerSize).toBe(DEFAULT_MAX_DECOMPRESSED_BYTES);
  });

  it('reads daemon.json style keys and rejects unknown ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
    try {
      await writeFile(join(dir, 'ok.json'), JSON.stringify({ 'data-root': '/d', hosts: ['unix:///x.sock'] }));
      expect(await readConfigFile(join(dir, 'ok.json'))).toEqual({ dataRoot: '/d', hosts: ['unix:///x.sock'] });
      await writeFile(join(dir, 'bad.json'), JSON.stringify({ bogus: 1 }));
      await expect(readConfigFile(join(dir, 'bad.json'))).rejects.toThrow(/unknown option "bogus"/);
      await writeFile(join(dir, 'broken.json'), '{');
      await expect(readConfigFile(join(dir, 'broken.json'))).rejects.toThrow(/unable to configure/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes the accepted runtime CVEs one by one, and the socket group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
    try {
      await writeFile(join(dir, 'daemon.json'), JSON.stringify({ 'allow-unpatched-runtime': ['CVE-2025-31133'], group: 'docker' }));
      const config = resolveConfig(await readConfigFile(join(dir, 'daemon.json')), {});
      expect(config).toMatchObject({ allowUnpatchedRuntime: ['CVE-2025-31133'], group: 'docker' });
      expect(DEFAULT_CONFIG).toMatchObject({ allowUnpatchedRuntime: [], group: 'berth' });
      expect(() => resolveConfig({}, { allowUnpatchedRuntime: ['all'] })).toThrow('invalid allow-unpatched-runtime ["all"]: a list of CVE ids such as CVE-2025-31133');
      expect(() => resolveConfig({ allowUnpatchedRuntime: 'CVE-2025-31133' as unknown as string[] }, {})).toThrow(/invalid allow-unpatched-runtime/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes the authorization plugins in order, and plugin directories as absolute paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
    try {
      await writeFile(join(dir, 'daemon.json'), JSON.stringify({ 'authorization-plugins': ['a', 'b'], 'plugin-dirs': ['/srv/plugins'] }));
      expect(resolveConfig(await readConfigFile(join(dir, 'daemon.json')), {})).toMatchObject({ authorizationPlugins: ['a', 'b'], pluginDirs: ['/srv/plugins'] });
      expect(DEFAULT_CONFIG).toMatchObject({ authorizationPlugins: [], pluginDirs: [] });
      expect(() => resolveConfig({ authorizationPlugins: 'a' as unknown as string[] }, {})).toThrow('invalid authorization-plugins "a": a list of plugin names');
      expect(() => resolveConfig({}, { pluginDirs: ['plugins'] })).toThrow('invalid plugin-dirs ["plugins"]: a list of absolute paths');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes userns-remap as a string; an empty one is no remapping', () => {
    expect(resolveConfig({ usernsRemap: 'default' }, {}).usernsRemap).toBe('default');
    expect(resolveConfig({ usernsRemap: 'default' }, { usernsRemap: 'alice:staff' }).usernsRemap).toBe('alice:staff');
    expect(resolveConfig({ usernsRemap: '' }, {}).usernsRemap).toBeUndefined();
    expect(() => resolveConfig({ usernsRemap: 5 as unknown as string }, {})).toThrow('invalid userns-remap 5');
  });

  it('takes the transfer concurrency of pulls and pushes, positive only', () => {
    expect(resolveConfig({ maxConcurrentDownloads: 6 }, { maxConcurrentUploads: 2 })).toMatchObject({ maxConcurrentDownloads: 6, maxConcurrentUploads: 2 });
    expect(() => resolveConfig({}, { maxConcurrentDownloads: 0 })).toThrow('invalid max-concurrent-downloads 0: a positive number');
    expect(() => resolveConfig({ maxConcurrentUploads: Number.NaN }, {})).toThrow(/invalid max-concurrent-uploads/);
  });

  it('takes the network settings of dockerd: bridge, bip, iptables, default-address-pools', () => {
    expect(DEFAULT_CONFIG).toMatchObject({ bridge: 'berth0', iptables: true });
    expect(DEFAULT_CONFIG.defaultAddressPools[0]).toEqual({ base: '172.17.0.0/16', size: 16 });
    const config = resolveConfig({ bridge: 'none', iptables: false, defaultAddressPools: [{ base: '10.10.0.0/16', size: 24 }] }, {});
    expect(config).toMatchObject({ bridge: 'none', iptables: false, defaultAddressPools: [{ base: '10.10.0.0/16', size: 24 }] });
    expect(resolveConfig({}, { bip: '10.99.0.1/24' }).bip).toBe('10.99.0.1/24');
    expect(() => resolveConfig({}, { bridge: 'none', bip: '10.99.0.1/24' })).toThrow('--bip and --bridge=none are mutually exclusive');
    expect(() => resolveConfig({}, { bridge: 'a-very-long-bridge-name' })).toThrow(/invalid bridge/);
    expect(() => resolveConfig({ defaultAddressPools: [{ base: '10.10.0.0/16', size: 8 }] }, {})).toThrow(/size 8 must be between 16 and 32/);
    expect(() => resolveConfig({ iptables: 'no' as unknown as boolean }, {})).toThrow(/invalid iptables/);
  });

  it('listens on unix sockets, and on TCP only with client verification or --insecure-tcp', () => {
    expect(parseListenAddress('unix:///run/x.sock')).toEqual({ kind: 'unix', path: '/run/x.sock' });
    expect(parseListenAddress('tcp://127.0.0.1:2999')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2999 });
    expect(parseListenAddress('tcp://[::1]', true)).toEqual({ kind: 'tcp', host: '::1', port: 2376 });
    expect(parseListenAddress('tcp://0.0.0.0')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 2375 });
    expect(() => parseListenAddress('ssh://host')).toThrow('unix:// sockets or tcp://host:port');
    expect(() => parseListenAddress('tcp://host:1/path')).toThrow('tcp://host:port');
    const tcp = { hosts: ['unix:///run/x.sock', 'tcp://127.0.0.1:2376'] };
    expect(() => resolveConfig({}, tcp)).toThrow('refusing to listen on tcp://127.0.0.1:2376: plain TCP gives root on this host to anyone who can reach the port');
    expect(() => resolveConfig({}, { ...tcp, tls: true })).toThrow('TLS without --tlsverify lets any client in');
    expect(resolveConfig({}, { ...tcp, tlsVerify: true })).toMatchObject({ tls: true, tlsVerify: true });
    expect(resolveConfig({ insecureTcp: true }, tcp)).toMatchObject({ tls: false, insecureTcp: true });
    expect(() => resolveConfig({}, { runtime: 'kata' as 'runc' })).toThrow(/unknown runtime/);
  });
});
