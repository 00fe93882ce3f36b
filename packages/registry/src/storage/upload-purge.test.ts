import { describe, expect, it } from 'vitest';
import { uploadDataPath, uploadStartedAtPath } from './paths.js';
import { useBackend } from './test-support/backend-fixture.js';
import { purgeUploads } from './upload-purge.js';

const HOUR = 3_600_000;

describe('purgeUploads', () => {
  const fixture = useBackend();

  it('removes the uploads started longer ago than the age, in every repository, and keeps the rest', async () => {
    const { backend } = fixture;
    const old = await backend.startUpload('library/app');
    const fresh = await backend.startUpload('library/app');
    const nested = await backend.startUpload('a/b/c');
    // Written as the Go registry writes it (RFC 3339), three hours before "now".
    const now = Date.now();
    await backend.driver.putContent(uploadStartedAtPath('library/app', old.id), Buffer.from(new Date(now - 3 * HOUR).toISOString().replace(/\.\d+Z$/, 'Z')));
    await backend.driver.putContent(uploadStartedAtPath('a/b/c', nested.id), Buffer.from(new Date(now - 5 * HOUR).toISOString()));
    const log: string[] = [];

    expect(await purgeUploads(backend.driver, { ageMs: 2 * HOUR, dryRun: true, now: () => now, log: (line) => log.push(line) })).toEqual([`a/b/c/${nested.id}`, `library/app/${old.id}`]);
    expect(await backend.uploadState('library/app', old.id)).toMatchObject({ id: old.id });
    expect(log[0]).toMatch(/^would purge 2 upload\(s\) older than 2h/);

    expect(await purgeUploads(backend.driver, { ageMs: 2 * HOUR, dryRun: false, now: () => now, log: () => undefined })).toHaveLength(2);
    await expect(backend.uploadState('library/app', old.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    await expect(backend.uploadState('a/b/c', nested.id)).rejects.toMatchObject({ code: 'BLOB_UPLOAD_UNKNOWN' });
    expect(await backend.uploadState('library/app', fresh.id)).toMatchObject({ id: fresh.id });
  });

  it('dates an upload without a readable startedat by its data', async () => {
    const { backend } = fixture;
    const upload = await backend.startUpload('app');
    await backend.driver.putContent(uploadStartedAtPath('app', upload.id), Buffer.from('garbage'));
    const written = (await backend.driver.stat(uploadDataPath('app', upload.id)))!.modified.getTime();
    expect(await purgeUploads(backend.driver, { ageMs: HOUR, dryRun: false, now: () => written + HOUR - 1, log: () => undefined })).toEqual([]);
    expect(await purgeUploads(backend.driver, { ageMs: HOUR, dryRun: false, now: () => written + HOUR, log: () => undefined })).toEqual([`app/${upload.id}`]);
  });
});
