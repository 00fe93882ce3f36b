import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { describe, expect, it } from 'vitest';
import { descriptorOf, imageManifest, makeBackend, pushBlob, pushImage, useBackend } from './test-support/backend-fixture.js';

function index(children: Buffer[], mediaType: string = MediaTypes.OciIndex): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: children.map((child) => descriptorOf(MediaTypes.OciManifest, child)) }));
}

describe('StorageBackend manifests and tags', () => {
  const fixture = useBackend();

  it('stores a manifest under a tag and serves it by tag and by digest, byte for byte', async () => {
    const { digest, content } = await pushImage(fixture.backend, 'library/app', 'v1', 'one');
    expect(digest).toBe(sha256Digest(content));
    for (const reference of ['v1', digest]) {
      expect(await fixture.backend.getManifest('library/app', reference)).toEqual({ digest, mediaType: MediaTypes.OciManifest, content });
    }
    await expect(fixture.backend.getManifest('library/app', 'v2')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(fixture.backend.getManifest('other', digest)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('stores a manifest by digest, refusing a digest that does not match the bytes', async () => {
    const config = '{}';
    await pushBlob(fixture.backend, 'repo', config);
    const content = imageManifest(config, []);
    await expect(fixture.backend.putManifest('repo', sha256Digest('other'), content, MediaTypes.OciManifest)).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(await fixture.backend.putManifest('repo', sha256Digest(content), content, MediaTypes.OciManifest)).toEqual({ digest: sha256Digest(content) });
    expect(await fixture.backend.tags('repo')).toEqual([]);
  });

  it('moves a tag to a new manifest', async () => {
    await pushImage(fixture.backend, 'repo', 'latest', 'one');
    const second = await pushImage(fixture.backend, 'repo', 'latest', 'two');
    expect((await fixture.backend.getManifest('repo', 'latest')).digest).toBe(second.digest);
  });

  it('refuses a manifest whose blobs the repository does not have', async () => {
    await pushBlob(fixture.backend, 'repo', 'config');
    const content = imageManifest('config', ['never pushed']);
    await expect(fixture.backend.putManifest('repo', 'v1', content, MediaTypes.OciManifest)).rejects.toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      detail: { digest: sha256Digest('never pushed') },
    });
    await pushBlob(fixture.backend, 'elsewhere', 'never pushed');
    await expect(fixture.backend.putManifest('repo', 'v1', content, MediaTypes.OciManifest)).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
    await expect(fixture.backend.getManifest('repo', 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('stores an index whose children exist and refuses one with a missing child', async () => {
    const child = await pushImage(fixture.backend, 'repo', 'amd64', 'child');
    const good = index([child.content]);
    expect((await fixture.backend.putManifest('repo', 'multi', good, MediaTypes.OciIndex)).digest).toBe(sha256Digest(good));
    expect((await fixture.backend.getManifest('repo', 'multi')).mediaType).toBe(MediaTypes.OciIndex);
    const missing = index([child.content, imageManifest('{}', [])]);
    await expect(fixture.backend.putManifest('repo', 'broken', missing, MediaTypes.OciIndex)).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
  });

  it('accepts Docker schema2 manifests and manifest lists', async () => {
    await pushBlob(fixture.backend, 'repo', 'docker config');
    await pushBlob(fixture.backend, 'repo', 'docker layer');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.DockerManifest,
        config: descriptorOf(MediaTypes.DockerConfig, 'docker config'),
        layers: [descriptorOf(MediaTypes.DockerLayerGzip, 'docker layer')],
      }),
    );
    await fixture.backend.putManifest('repo', 'docker', manifest, MediaTypes.DockerManifest);
    const list = index([manifest], MediaTypes.DockerManifestList);
    await fixture.backend.putManifest('repo', 'list', list, MediaTypes.DockerManifestList);
    expect((await fixture.backend.getManifest('repo', 'docker')).mediaType).toBe(MediaTypes.DockerManifest);
    expect((await fixture.backend.getManifest('repo', 'list')).mediaType).toBe(MediaTypes.DockerManifestList);
  });

  it('refuses malformed manifests and a mediaType that disagrees with the content type', async () => {
    await pushBlob(fixture.backend, 'repo', '{}');
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
      await expect(fixture.backend.putManifest('repo', 'bad', content, mediaType)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    }
    expect((await fixture.backend.putManifest('repo', 'charset', oci, `${MediaTypes.OciManifest}; charset=utf-8`)).digest).toBe(sha256Digest(oci));
  });

  it('validates tags and references', async () => {
    await expect(fixture.backend.putManifest('repo', '-bad', Buffer.from('{}'), MediaTypes.OciManifest)).rejects.toMatchObject({ code: 'TAG_INVALID' });
    await expect(fixture.backend.getManifest('repo', 'a'.repeat(129))).rejects.toMatchObject({ code: 'TAG_INVALID' });
    await expect(fixture.backend.getManifest('repo', 'sha256:short')).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    await expect(fixture.backend.getManifest('UPPER', 'latest')).rejects.toMatchObject({ code: 'NAME_INVALID' });
  });

  it('lists tags and repositories sorted; an unknown repository is NAME_UNKNOWN', async () => {
    for (const tag of ['v2', 'latest', 'v10', 'V1']) await pushImage(fixture.backend, 'b/nested', tag, tag);
    await pushImage(fixture.backend, 'a', 'x', 'x');
    await pushImage(fixture.backend, 'b', 'y', 'y');
    await fixture.backend.startUpload('uploads-only');
    expect(await fixture.backend.tags('b/nested')).toEqual(['V1', 'latest', 'v10', 'v2']);
    expect(await fixture.backend.repositories()).toEqual(['a', 'b', 'b/nested']);
    await expect(fixture.backend.tags('missing')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
  });

  it('finds referrers by subject, with artifactType and annotations', async () => {
    const subject = await pushImage(fixture.backend, 'repo', 'v1', 'subject');
    const subjectDescriptor = descriptorOf(MediaTypes.OciManifest, subject.content);
    const signature = await pushImage(fixture.backend, 'repo', 'sig', 'sig', {
      subject: subjectDescriptor,
      artifactType: 'application/vnd.example.sig',
      annotations: { 'org.example': 'yes' },
    });
    const sbom = await pushImage(fixture.backend, 'repo', 'sbom', 'sbom', { subject: subjectDescriptor });
    await pushImage(fixture.backend, 'repo', 'unrelated', 'unrelated');
    const found = await fixture.backend.referrers('repo', subject.digest);
    expect(found).toHaveLength(2);
    expect(found).toContainEqual({
      mediaType: MediaTypes.OciManifest,
      digest: signature.digest,
      size: signature.content.length,
      artifactType: 'application/vnd.example.sig',
      annotations: { 'org.example': 'yes' },
    });
    expect(found).toContainEqual({ mediaType: MediaTypes.OciManifest, digest: sbom.digest, size: sbom.content.length, artifactType: MediaTypes.OciConfig });
    expect(await fixture.backend.referrers('repo', sbom.digest)).toEqual([]);
  });

  it('returns the subject digest when a manifest has one', async () => {
    const subject = await pushImage(fixture.backend, 'repo', 'v1', 'subject');
    await pushBlob(fixture.backend, 'repo', '{}');
    const content = imageManifest('{}', [], { subject: descriptorOf(MediaTypes.OciManifest, subject.content) });
    expect(await fixture.backend.putManifest('repo', 'ref', content, MediaTypes.OciManifest)).toEqual({ digest: sha256Digest(content), subject: subject.digest });
  });

  it('refuses deletion when disabled', async () => {
    const { digest } = await pushImage(fixture.backend, 'repo', 'v1', 'one');
    await expect(fixture.backend.deleteManifest('repo', digest)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(fixture.backend.deleteManifest('repo', 'v1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect((await fixture.backend.getManifest('repo', 'v1')).digest).toBe(digest);
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
