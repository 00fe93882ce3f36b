import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageBackend } from './backend.js';
import { descriptorOf, imageManifest, makeBackend, pushBlob, pushImage, type BackendFixture } from './test-support/backend-fixture.js';

function index(children: Buffer[], mediaType: string = MediaTypes.OciIndex): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: children.map((child) => descriptorOf(MediaTypes.OciManifest, child)) }));
}

describe('StorageBackend manifests and tags', () => {
  let fixture: BackendFixture;
  let backend: StorageBackend;
  beforeEach(async () => {
    fixture = await makeBackend();
    backend = fixture.backend;
  });
  afterEach(() => fixture.cleanup());

  it('stores a manifest under a tag and serves it by tag and by digest, byte for byte', async () => {
    const { digest, content } = await pushImage(backend, 'library/app', 'v1', 'one');
    expect(digest).toBe(sha256Digest(content));
    for (const reference of ['v1', digest]) {
      expect(await backend.getManifest('library/app', reference)).toEqual({ digest, mediaType: MediaTypes.OciManifest, content });
    }
    await expect(backend.getManifest('library/app', 'v2')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(backend.getManifest('other', digest)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('stores a manifest by digest, refusing a digest that does not match the bytes', async () => {
    const config = '{}';
    await pushBlob(backend, 'repo', config);
    const content = imageManifest(config, []);
    await expect(backend.putManifest('repo', sha256Digest('other'), content, MediaTypes.OciManifest)).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(await backend.putManifest('repo', sha256Digest(content), content, MediaTypes.OciManifest)).toEqual({ digest: sha256Digest(content) });
    expect(await backend.tags('repo')).toEqual([]);
  });

  it('moves a tag to a new manifest', async () => {
    await pushImage(backend, 'repo', 'latest', 'one');
    const second = await pushImage(backend, 'repo', 'latest', 'two');
    expect((await backend.getManifest('repo', 'latest')).digest).toBe(second.digest);
  });

  it('refuses a manifest whose blobs the repository does not have', async () => {
    await pushBlob(backend, 'repo', 'config');
    const content = imageManifest('config', ['never pushed']);
    await expect(backend.putManifest('repo', 'v1', content, MediaTypes.OciManifest)).rejects.toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      detail: { digest: sha256Digest('never pushed') },
    });
    await pushBlob(backend, 'elsewhere', 'never pushed');
    await expect(backend.putManifest('repo', 'v1', content, MediaTypes.OciManifest)).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
    await expect(backend.getManifest('repo', 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('stores an index whose children exist and refuses one with a missing child', async () => {
    const child = await pushImage(backend, 'repo', 'amd64', 'child');
    const good = index([child.content]);
    expect((await backend.putManifest('repo', 'multi', good, MediaTypes.OciIndex)).digest).toBe(sha256Digest(good));
    expect((await backend.getManifest('repo', 'multi')).mediaType).toBe(MediaTypes.OciIndex);
    const missing = index([child.content, imageManifest('{}', [])]);
    await expect(backend.putManifest('repo', 'broken', missing, MediaTypes.OciIndex)).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
  });

  it('accepts Docker schema2 manifests and manifest lists', async () => {
    await pushBlob(backend, 'repo', 'docker config');
    await pushBlob(backend, 'repo', 'docker layer');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.DockerManifest,
        config: descriptorOf(MediaTypes.DockerConfig, 'docker config'),
        layers: [descriptorOf(MediaTypes.DockerLayerGzip, 'docker layer')],
      }),
    );
    await backend.putManifest('repo', 'docker', manifest, MediaTypes.DockerManifest);
    const list = index([manifest], MediaTypes.DockerManifestList);
    await backend.putManifest('repo', 'list', list, MediaTypes.DockerManifestList);
    expect((await backend.getManifest('repo', 'docker')).mediaType).toBe(MediaTypes.DockerManifest);
    expect((await backend.getManifest('repo', 'list')).mediaType).toBe(MediaTypes.DockerManifestList);
  });

  it('refuses malformed manifests and a mediaType that disagrees with the content type', async () => {
    await pushBlob(backend, 'repo', '{}');
    const oci = imageManifest('{}', []);
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('not json'), MediaTypes.OciManifest],
      [Buffer.from('[]'), MediaTypes.OciManifest],
      [oci, MediaTypes.DockerManifest],
      [oci, 'application/vnd.example.unknown+json'],
      [Buffer.from(JSON.stringify({ schemaVersion: 1, mediaType: MediaTypes.OciManifest })), MediaTypes.OciManifest],
      [Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:zz' }, layers: [] })), MediaTypes.OciManifest],
      [Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex })), MediaTypes.OciIndex],
    ];
    for (const [content, mediaType] of cases) {
      await expect(backend.putManifest('repo', 'bad', content, mediaType)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    }
    expect((await backend.putManifest('repo', 'charset', oci, `${MediaTypes.OciManifest}; charset=utf-8`)).digest).toBe(sha256Digest(oci));
  });

  it('validates tags and references', async () => {
    await expect(backend.putManifest('repo', '-bad', Buffer.from('{}'), MediaTypes.OciManifest)).rejects.toMatchObject({ code: 'TAG_INVALID' });
    await expect(backend.getManifest('repo', 'a'.repeat(129))).rejects.toMatchObject({ code: 'TAG_INVALID' });
    await expect(backend.getManifest('repo', 'sha256:short')).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    await expect(backend.getManifest('UPPER', 'latest')).rejects.toMatchObject({ code: 'NAME_INVALID' });
  });

  it('lists tags and repositories sorted; an unknown repository is NAME_UNKNOWN', async () => {
    for (const tag of ['v2', 'latest', 'v10', 'V1']) await pushImage(backend, 'b/nested', tag, tag);
    await pushImage(backend, 'a', 'x', 'x');
    await pushImage(backend, 'b', 'y', 'y');
    await backend.startUpload('uploads-only');
    expect(await backend.tags('b/nested')).toEqual(['V1', 'latest', 'v10', 'v2']);
    expect(await backend.repositories()).toEqual(['a', 'b', 'b/nested']);
    await expect(backend.tags('missing')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
  });

  it('finds referrers by subject, with artifactType and annotations', async () => {
    const subject = await pushImage(backend, 'repo', 'v1', 'subject');
    const subjectDescriptor = descriptorOf(MediaTypes.OciManifest, subject.content);
    const signature = await pushImage(backend, 'repo', 'sig', 'sig', {
      subject: subjectDescriptor,
      artifactType: 'application/vnd.example.sig',
      annotations: { 'org.example': 'yes' },
    });
    const sbom = await pushImage(backend, 'repo', 'sbom', 'sbom', { subject: subjectDescriptor });
    await pushImage(backend, 'repo', 'unrelated', 'unrelated');
    const found = await backend.referrers('repo', subject.digest);
    expect(found).toHaveLength(2);
    expect(found).toContainEqual({
      mediaType: MediaTypes.OciManifest,
      digest: signature.digest,
      size: signature.content.length,
      artifactType: 'application/vnd.example.sig',
      annotations: { 'org.example': 'yes' },
    });
    expect(found).toContainEqual({ mediaType: MediaTypes.OciManifest, digest: sbom.digest, size: sbom.content.length, artifactType: MediaTypes.OciConfig });
    expect(await backend.referrers('repo', sbom.digest)).toEqual([]);
  });

  it('returns the subject digest when a manifest has one', async () => {
    const subject = await pushImage(backend, 'repo', 'v1', 'subject');
    await pushBlob(backend, 'repo', '{}');
    const content = imageManifest('{}', [], { subject: descriptorOf(MediaTypes.OciManifest, subject.content) });
    expect(await backend.putManifest('repo', 'ref', content, MediaTypes.OciManifest)).toEqual({ digest: sha256Digest(content), subject: subject.digest });
  });

  it('refuses deletion when disabled', async () => {
    const { digest } = await pushImage(backend, 'repo', 'v1', 'one');
    await expect(backend.deleteManifest('repo', digest)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(backend.deleteManifest('repo', 'v1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect((await backend.getManifest('repo', 'v1')).digest).toBe(digest);
  });

  it('deletes a tag alone, or a manifest with the tags that point at it, when enabled', async () => {
    const enabled = await makeBackend(true);
    try {
      const b = enabled.backend;
      const one = await pushImage(b, 'repo', 'v1', 'one');
      await b.putManifest('repo', 'also-one', one.content, MediaTypes.OciManifest);
      const two = await pushImage(b, 'repo', 'v2', 'two');
      await b.putManifest('repo', 'also-two', two.content, MediaTypes.OciManifest);
      await b.deleteManifest('repo', 'also-two');
      expect(await b.tags('repo')).toEqual(['also-one', 'v1', 'v2']);
      expect((await b.getManifest('repo', two.digest)).digest).toBe(two.digest);
      await b.deleteManifest('repo', one.digest);
      expect(await b.tags('repo')).toEqual(['v2']);
      await expect(b.getManifest('repo', one.digest)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
      await expect(b.deleteManifest('repo', one.digest)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
      await expect(b.deleteManifest('repo', 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    } finally {
      await enabled.cleanup();
    }
  });
});
