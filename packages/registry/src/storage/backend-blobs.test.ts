import { text } from 'node:stream/consumers';
import { sha256Digest } from '@berth/reference';
import { describe, expect, it } from 'vitest';
import { StorageBackend } from './backend.js';
import { FilesystemDriver } from './filesystem-driver.js';
import { makeBackend, pushBlob, stream, useBackend } from './test-support/backend-fixture.js';

describe('StorageBackend blobs and uploads', () => {
  const fixture = useBackend();

  it('completes a monolithic upload into a blob linked in the repository', async () => {
    const digest = await pushBlob(fixture.backend, 'library/busybox', 'hello blob');
    expect(await fixture.backend.statBlob('library/busybox', digest)).toEqual({ size: 10 });
    expect(await text(await fixture.backend.readBlob('library/busybox', digest))).toBe('hello blob');
    expect(await text(await fixture.backend.readBlob('library/busybox', digest, 6, 2))).toBe('bl');
    expect(await fixture.backend.statBlob('other', digest)).toBeUndefined();
    await expect(fixture.backend.readBlob('other', digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
  });

  it('assembles a chunked upload and reports its progress', async () => {
    const upload = await fixture.backend.startUpload('repo');
    expect(upload.size).toBe(0);
    expect((await fixture.backend.appendUpload('repo', upload.id, stream('chunk one, '), 0)).size).toBe(11);
    expect((await fixture.backend.appendUpload('repo', upload.id, stream('two'), 11)).size).toBe(14);
    expect((await fixture.backend.uploadState('repo', upload.id)).size).toBe(14);
    const digest = sha256Digest('chunk one, two');
    expect(await fixture.backend.completeUpload('repo', upload.id, digest)).toEqual({ size: 14 });
    expect(await text(await fixture.backend.readBlob('repo', digest))).toBe('chunk one, two');
    await expect(fixture.backend.uploadState('repo', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  it('hashes earlier chunks together with a last chunk given at completion', async () => {
    const upload = await fixture.backend.startUpload('repo');
    await fixture.backend.appendUpload('repo', upload.id, stream('first '));
    const digest = sha256Digest('first last');
    expect(await fixture.backend.completeUpload('repo', upload.id, digest, stream('last'))).toEqual({ size: 10 });
    expect(await text(await fixture.backend.readBlob('repo', digest))).toBe('first last');
  });

  it('refuses a chunk that does not start where the upload ends, writing nothing', async () => {
    const upload = await fixture.backend.startUpload('repo');
    await fixture.backend.appendUpload('repo', upload.id, stream('abc'), 0);
    await expect(fixture.backend.appendUpload('repo', upload.id, stream('xyz'), 5)).rejects.toMatchObject({ code: 'RANGE_INVALID', status: 416 });
    await expect(fixture.backend.appendUpload('repo', upload.id, stream('xyz'), 0)).rejects.toMatchObject({ code: 'RANGE_INVALID' });
    expect((await fixture.backend.uploadState('repo', upload.id)).size).toBe(3);
  });

  it('serializes concurrent chunks of one upload: of two starting at 0, one is refused', async () => {
    const upload = await fixture.backend.startUpload('repo');
    const results = await Promise.allSettled([
      fixture.backend.appendUpload('repo', upload.id, stream('first'), 0),
      fixture.backend.appendUpload('repo', upload.id, stream('other'), 0),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'RANGE_INVALID' } });
    expect((await fixture.backend.uploadState('repo', upload.id)).size).toBe(5);
  });

  it('refuses a digest that does not match and keeps the session', async () => {
    const upload = await fixture.backend.startUpload('repo');
    await fixture.backend.appendUpload('repo', upload.id, stream('actual'));
    const wrong = sha256Digest('something else');
    await expect(fixture.backend.completeUpload('repo', upload.id, wrong)).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(await fixture.backend.statBlob('repo', wrong)).toBeUndefined();
    expect((await fixture.backend.uploadState('repo', upload.id)).size).toBe(6);
    await fixture.backend.completeUpload('repo', upload.id, sha256Digest('actual'));
  });

  it('refuses a monolithic body that does not match its digest', async () => {
    const upload = await fixture.backend.startUpload('repo');
    const wrong = sha256Digest('claimed');
    await expect(fixture.backend.completeUpload('repo', upload.id, wrong, stream('sent'))).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(await fixture.backend.statBlob('repo', wrong)).toBeUndefined();
  });

  it('cancels an upload; unknown or foreign ids are BLOB_UPLOAD_UNKNOWN', async () => {
    const upload = await fixture.backend.startUpload('repo');
    await expect(fixture.backend.uploadState('other', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    await fixture.backend.cancelUpload('repo', upload.id);
    await expect(fixture.backend.uploadState('repo', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    await expect(fixture.backend.cancelUpload('repo', upload.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    await expect(fixture.backend.uploadState('repo', '../../x')).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  it('mounts a blob from another repository, or answers false when it has none', async () => {
    const digest = await pushBlob(fixture.backend, 'source', 'shared layer');
    expect(await fixture.backend.mountBlob('target', 'source', digest)).toBe(true);
    expect(await fixture.backend.statBlob('target', digest)).toEqual({ size: 12 });
    expect(await fixture.backend.mountBlob('target', 'nowhere', sha256Digest('absent'))).toBe(false);
  });

  it('validates names and digests before touching storage', async () => {
    for (const name of ['../x', 'Upper', 'a'.repeat(256), 'a//b', '-a']) {
      await expect(fixture.backend.startUpload(name)).rejects.toMatchObject({ code: 'NAME_INVALID' });
    }
    await expect(fixture.backend.statBlob('repo', 'sha256:abc')).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    await expect(fixture.backend.statBlob('repo', `sha512:${'a'.repeat(128)}`)).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
  });

  it('unlinks a blob only when deletion is enabled', async () => {
    const digest = await pushBlob(fixture.backend, 'repo', 'to delete');
    await expect(fixture.backend.deleteBlob('repo', digest)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const enabled = await makeBackend(true);
    try {
      const kept = await pushBlob(enabled.backend, 'repo', 'to delete');
      await enabled.backend.deleteBlob('repo', kept);
      expect(await enabled.backend.statBlob('repo', kept)).toBeUndefined();
      await expect(enabled.backend.deleteBlob('repo', kept)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    } finally {
      await enabled.cleanup();
    }
  });

  it('resumes an upload with a new backend over the same directory', async () => {
    const upload = await fixture.backend.startUpload('repo');
    await fixture.backend.appendUpload('repo', upload.id, stream('before restart '));
    const restarted = new StorageBackend(new FilesystemDriver(fixture.root), { deleteEnabled: false });
    expect((await restarted.uploadState('repo', upload.id)).size).toBe(15);
    await restarted.completeUpload('repo', upload.id, sha256Digest('before restart after'), stream('after'));
  });
});
