import { describe, expect, it } from 'vitest';
import { parseRegistryConfig, RegistryConfigError } from './config.js';

describe('storage.s3 in the registry config', () => {
  it('reads the Go keys into S3 driver options and warns about the ones we do not support', () => {
    const { config, warnings } = parseRegistryConfig(`
version: 0.1
storage:
  s3:
    accesskey: AKID
    secretkey: SECRET
    region: eu-west-1
    regionendpoint: http://127.0.0.1:9000
    bucket: images
    rootdirectory: /registry
    forcepathstyle: true
    secure: false
    chunksize: 20971520
    encrypt: true
  delete:
    enabled: true
`);
    expect(config.storage).toEqual({
      rootDirectory: '/var/lib/registry',
      deleteEnabled: true,
      maintenance: expect.anything(),
      s3: {
        bucket: 'images',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
        secure: false,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
        rootDirectory: '/registry',
        chunkSize: 20971520,
      },
    });
    expect(warnings).toEqual(['storage.s3.encrypt: not supported, ignored']);
  });

  it('takes the Go defaults: HTTPS, virtual-host style, the AWS credential chain, the bucket root', () => {
    const { config } = parseRegistryConfig('version: 0.1\nstorage:\n  s3:\n    region: us-east-1\n    bucket: b\n');
    expect(config.storage.s3).toEqual({ bucket: 'b', region: 'us-east-1', forcePathStyle: false, secure: true });
    const host = parseRegistryConfig('version: 0.1\nstorage:\n  s3: {region: r, bucket: b, regionendpoint: minio:9000, secure: false}\n');
    expect(host.config.storage.s3?.endpoint).toBe('http://minio:9000');
    expect(parseRegistryConfig('version: 0.1\nstorage:\n  s3: {region: r, bucket: b, regionendpoint: minio:9000}\n').config.storage.s3?.endpoint).toBe('https://minio:9000');
  });

  it('has no s3 options without storage.s3', () => {
    expect(parseRegistryConfig('version: 0.1\n').config.storage.s3).toBeUndefined();
  });

  it.each([
    ['storage:\n  filesystem: {rootdirectory: /d}\n  s3: {region: r, bucket: b}', /storage: configure storage.filesystem or storage.s3, not both/],
    ['storage:\n  s3: {region: r}', /storage.s3.bucket: required/],
    ['storage:\n  s3: {bucket: b}', /storage.s3.region: required/],
    ['storage:\n  s3: {region: r, bucket: ""}', /storage.s3.bucket: must be a non-empty string/],
    ['storage:\n  s3: {region: r, bucket: b, accesskey: a}', /storage.s3: accesskey and secretkey go together/],
    ['storage:\n  s3: {region: r, bucket: b, secure: maybe}', /storage.s3.secure: must be true or false/],
    ['storage:\n  s3: {region: r, bucket: b, forcepathstyle: 1}', /storage.s3.forcepathstyle: must be true or false/],
    ['storage:\n  s3: {region: r, bucket: b, chunksize: 1024}', /storage.s3.chunksize: must be a whole number of bytes, at least 5242880/],
    ['storage:\n  s3: {region: r, bucket: b, chunksize: 10MB}', /storage.s3.chunksize: must be a whole number/],
    ['storage:\n  s3: [r]', /storage.s3: must be a mapping/],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parseRegistryConfig(`version: 0.1\n${text}\n`, 'config.yml')).toThrow(RegistryConfigError);
    expect(() => parseRegistryConfig(`version: 0.1\n${text}\n`, 'config.yml')).toThrow(message);
  });
});
