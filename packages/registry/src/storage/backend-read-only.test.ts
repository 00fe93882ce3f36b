import { MediaTypes } from '@berth/oci';
import { describe, expect, it } from 'vitest';
import { StorageBackend } from './backend.js';
import { pushImage, stream, useBackend } from './test-support/backend-fixture.js';

describe('StorageBackend in read-only mode', () => {
  const fixture = useBackend();

  it('serves pulls and refuses every write with UNSUPPORTED', async () => {
    const { digest, content } = await pushImage(fixture.backend, 'app', 'latest', 'v1');
    const readOnly = new StorageBackend(fixture.backend.driver, { deleteEnabled: true, readOnly: true });
    expect((await readOnly.getManifest('app', 'latest')).digest).toBe(digest);
    expect(await readOnly.tags('app')).toEqual(['latest']);
    const refusals = [
      readOnly.startUpload('app'),
      readOnly.appendUpload('app', 'id', stream('x')),
      readOnly.completeUpload('app', 'id', digest),
      readOnly.mountBlob('other', 'app', digest),
      readOnly.putManifest('app', 'v2', content, MediaTypes.OciManifest),
      readOnly.deleteManifest('app', digest),
      readOnly.deleteBlob('app', digest),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toMatchObject({ code: 'UNSUPPORTED', message: 'the registry is in read-only mode' });
    expect((await fixture.backend.getManifest('app', 'latest')).digest).toBe(digest);
  });
});
