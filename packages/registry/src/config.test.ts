import { describe, expect, it } from 'vitest';
import { parseRegistryConfig, RegistryConfigError } from './config.js';

// The Go registry purges uploads older than a week once a day unless told otherwise.
const GO_MAINTENANCE = { uploadPurging: { ageMs: 168 * 3_600_000, intervalMs: 24 * 3_600_000, dryRun: false }, readOnly: false };

describe('parseRegistryConfig', () => {
  it('reads the keys we support from a Go registry config.yml and warns about each other key by path', () => {
    const { config, warnings } = parseRegistryConfig(`
version: 0.1
redis:
  addr: localhost:6379
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /srv/registry
    maxthreads: 100
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5001
  headers:
    X-Content-Type-Options: [nosniff]
`);
    expect(config).toEqual({ version: '0.1', http: { host: '127.0.0.1', port: 5001, headers: { 'X-Content-Type-Options': ['nosniff'] } }, storage: { rootDirectory: '/srv/registry', deleteEnabled: true, maintenance: GO_MAINTENANCE } });
    expect(warnings).toEqual([
      'redis: not supported, ignored',
      'storage.cache: not supported, ignored',
      'storage.filesystem.maxthreads: not supported, ignored',
    ]);
  });

  it('takes the Go defaults: every interface on :5000, /var/lib/registry, deletion off', () => {
    const { config, warnings } = parseRegistryConfig("version: '0.1'\nstorage:\n  filesystem: {}\nhttp:\n  addr: :5000\n");
    expect(config).toEqual({ version: '0.1', http: { port: 5000 }, storage: { rootDirectory: '/var/lib/registry', deleteEnabled: false, maintenance: GO_MAINTENANCE } });
    expect(warnings).toEqual([]);
    expect(parseRegistryConfig('version: 0.1\n').config.http).toEqual({ port: 5000 });
    expect(parseRegistryConfig("version: 0.1\nhttp: {addr: '[::1]:80'}\n").config.http).toEqual({ host: '::1', port: 80 });
  });

  it.each([
    ['not: [valid', /invalid YAML/],
    ['- a list', /must be a mapping/],
    ['version: 0.2', /version: must be 0.1/],
    ['version: 0.1\nhttp:\n  addr: 5000', /http.addr: must be :port or host:port/],
    ['version: 0.1\nhttp:\n  addr: :70000', /http.addr/],
    ['version: 0.1\nstorage:\n  azure:\n    container: c', /storage.azure: only the filesystem and s3 storage drivers are supported/],
    ['version: 0.1\nstorage:\n  delete:\n    enabled: yes-please', /storage.delete.enabled: must be true or false/],
    ['version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: 3', /storage.filesystem.rootdirectory: must be a path/],
    ['version: 0.1\nstorage: text', /storage: must be a mapping/],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parseRegistryConfig(text, 'config.yml')).toThrow(RegistryConfigError);
    expect(() => parseRegistryConfig(text, 'config.yml')).toThrow(message);
  });

  it('reads storage.maintenance: upload purging and read-only mode', () => {
    const maintenance = (section: string) => parseRegistryConfig(`version: 0.1\nstorage:\n  maintenance:\n${section}`).config.storage.maintenance;
    expect(maintenance('    uploadpurging:\n      age: 2h\n      interval: 30m\n      dryrun: true\n    readonly:\n      enabled: true\n')).toEqual({
      uploadPurging: { ageMs: 2 * 3_600_000, intervalMs: 30 * 60_000, dryRun: true },
      readOnly: true,
    });
    expect(maintenance('    uploadpurging:\n      enabled: false\n')).toEqual({ readOnly: false });
    expect(() => maintenance('    uploadpurging:\n      age: 0\n')).toThrow(/storage.maintenance.uploadpurging.age: not a positive duration/);
    expect(() => maintenance('    readonly:\n      enabled: sure\n')).toThrow(/storage.maintenance.readonly.enabled: must be true or false/);
    expect(() => parseRegistryConfig('version: 0.1\nstorage:\n  maintenance:\n    readonly: {enabled: true}\nproxy:\n  remoteurl: http://r\n')).toThrow(/cannot be read-only/);
  });
});
