import { text } from 'node:stream/consumers';
import { sha256Digest } from '@berth/reference';
import { describe, expect, it } from 'vitest';
import { parseRegistryConfig } from '../config.js';
import { S3Driver } from '../storage/s3-driver.js';
import { stream } from '../storage/test-support/backend-fixture.js';
import { useTestS3Server } from '../storage/test-support/s3-server.js';
import { openBackend } from './open-backend.js';

describe('openBackend with storage.s3', () => {
  const s3 = useTestS3Server();

  it('stores a chunked upload as a blob in the bucket under the root directory, in the Go layout', async () => {
    const options = s3.server.driverOptions();
    const { config } = parseRegistryConfig(`
version: 0.1
storage:
  s3:
    accesskey: ${options.credentials!.accessKeyId}
    secretkey: ${options.credentials!.secretAccessKey}
    region: ${options.region}
    regionendpoint: ${options.endpoint}
    bucket: ${options.bucket}
    rootdirectory: ${options.rootDirectory}
    forcepathstyle: true
`);
    const { backend } = await openBackend(config);
    const upload = await backend.startUpload('library/app');
    await backend.appendUpload('library/app', upload.id, stream('layer '), 0);
    await backend.appendUpload('library/app', upload.id, stream('bytes'), 6);
    const digest = sha256Digest('layer bytes');
    expect(await backend.completeUpload('library/app', upload.id, digest)).toEqual({ size: 11 });
    expect(await text(await backend.readBlob('library/app', digest, 6))).toBe('bytes');
    // Another replica over the same bucket sees the blob where the Go registry keeps it.
    const bucket = new S3Driver(options);
    const hex = digest.slice('sha256:'.length);
    expect((await bucket.getContent(`/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`)).toString()).toBe('layer bytes');
    expect(await bucket.list('/docker/registry/v2/repositories/library/app/_uploads')).toEqual([]);
    await bucket.delete('/');
  });
});
