import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3Driver } from './s3-driver.js';
import { describeStorageDriver } from './test-support/driver-suite.js';
import { useTestS3Server } from './test-support/s3-server.js';

const s3 = useTestS3Server();

describeStorageDriver('s3', async () => {
  const driver = new S3Driver(s3.server.driverOptions());
  return { driver, cleanup: () => driver.delete('/') };
});

// The same suite with tiny limits, so its larger objects go through multipart uploads.
const MULTIPART = { chunkSize: 1024 * 1024, maxSingleRequestSize: 2 * 1024 * 1024 };
describeStorageDriver('s3, multipart beyond 2 MiB', async () => {
  const driver = new S3Driver({ ...s3.server.driverOptions(), ...MULTIPART });
  return { driver, cleanup: () => driver.delete('/') };
});

describe('S3Driver', () => {
  it('keeps objects under the root directory at their paths, and appended parts become one object when moved', async () => {
    const options = s3.server.driverOptions();
    const driver = new S3Driver(options);
    const client = new S3Client({ region: options.region, endpoint: options.endpoint, forcePathStyle: true, credentials: options.credentials });
    const keys = async () => {
      const page = await client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.rootDirectory!.slice(1) }));
      return (page.Contents ?? []).map((object) => object.Key!.slice(options.rootDirectory!.length));
    };
    try {
      await driver.putContent('/docker/registry/v2/repositories/a/_layers/link', Buffer.from('sha256:x'));
      await driver.append('/up/data', Readable.from([Buffer.from('ab')]));
      await driver.append('/up/data', Readable.from([Buffer.from('cd')]));
      expect((await keys()).sort()).toEqual([
        'docker/registry/v2/repositories/a/_layers/link',
        'up/.data.parts/0000000000000000',
        'up/.data.parts/0000000000000002',
      ]);
      expect(await driver.list('/up')).toEqual(['data']);
      expect(await driver.stat('/up/data')).toMatchObject({ size: 4, isDirectory: false });
      await driver.move('/up/data', '/blob/data');
      expect((await keys()).sort()).toEqual(['blob/data', 'docker/registry/v2/repositories/a/_layers/link']);
      expect((await driver.getContent('/blob/data')).toString()).toBe('abcd');
    } finally {
      await driver.delete('/');
      client.destroy();
    }
  });

  it('appends to an object that was written whole', async () => {
    const driver = new S3Driver(s3.server.driverOptions());
    try {
      await driver.putContent('/x', Buffer.from('whole'));
      expect(await driver.append('/x', Readable.from([Buffer.from('+more')]))).toBe(10);
      expect((await driver.getContent('/x')).toString()).toBe('whole+more');
      expect(await (await driver.reader('/x', 3, 4)).toArray()).toEqual([Buffer.from('le'), Buffer.from('+m')]);
      await driver.putContent('/x', Buffer.from('replaced'));
      expect((await driver.getContent('/x')).toString()).toBe('replaced');
      expect(await driver.list('/')).toEqual(['x']);
    } finally {
      await driver.delete('/');
    }
  });

  it('writes and copies objects beyond the single-request limit as multipart uploads', async () => {
    const driver = new S3Driver({ ...s3.server.driverOptions(), ...MULTIPART });
    try {
      const chunks = [randomBytes(1536 * 1024), randomBytes(1536 * 1024), randomBytes(2600 * 1024)];
      for (const chunk of chunks) await driver.append('/up/data', Readable.from([chunk]));
      await driver.move('/up/data', '/blob/data');
      expect((await driver.getContent('/blob/data')).equals(Buffer.concat(chunks))).toBe(true);
      // A whole object past the limit becomes the first part of an append by a multipart rewrite.
      expect(await driver.append('/blob/data', Readable.from([Buffer.from('tail')]))).toBe(5672 * 1024 + 4);
      expect((await driver.getContent('/blob/data')).equals(Buffer.concat([...chunks, Buffer.from('tail')]))).toBe(true);
      expect(await buffer(await driver.reader('/blob/data', 5672 * 1024 - 2))).toEqual(Buffer.concat([chunks[2]!.subarray(-2), Buffer.from('tail')]));
    } finally {
      await driver.delete('/');
    }
  });
});
