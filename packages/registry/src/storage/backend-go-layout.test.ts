import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { describe, expect, it } from 'vitest';
import { pushImage, stream, useBackend } from './test-support/backend-fixture.js';

const V2 = 'docker/registry/v2';

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

describe('StorageBackend on the Go registry layout', () => {
  const fixture = useBackend();

  async function put(path: string, content: string | Buffer): Promise<void> {
    const file = join(fixture.root, V2, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  it('serves a data directory the Go registry wrote', async () => {
    const config = '{"architecture":"amd64","os":"linux"}';
    const layer = 'a layer';
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.DockerManifest,
        config: { mediaType: MediaTypes.DockerConfig, digest: sha256Digest(config), size: config.length },
        layers: [{ mediaType: MediaTypes.DockerLayerGzip, digest: sha256Digest(layer), size: layer.length }],
      }),
    );
    const digest = sha256Digest(manifest);
    for (const [content, name] of [[config, 'config'], [layer, 'layer'], [manifest, 'manifest']] as const) {
      const hex = hexOf(sha256Digest(content));
      await put(`blobs/sha256/${hex.slice(0, 2)}/${hex}/data`, content);
      if (name !== 'manifest') await put(`repositories/library/busybox/_layers/sha256/${hex}/link`, `sha256:${hex}`);
    }
    const repo = 'repositories/library/busybox';
    await put(`${repo}/_manifests/revisions/sha256/${hexOf(digest)}/link`, digest);
    await put(`${repo}/_manifests/tags/latest/current/link`, digest);
    await put(`${repo}/_manifests/tags/latest/index/sha256/${hexOf(digest)}/link`, digest);
    await put(`${repo}/_uploads/3b5f4a1e-1111-4c2d-9e8f-0123456789ab/data`, 'partial');
    await put(`${repo}/_uploads/3b5f4a1e-1111-4c2d-9e8f-0123456789ab/startedat`, '2024-05-01T10:00:00Z');
    await put(`${repo}/_uploads/3b5f4a1e-1111-4c2d-9e8f-0123456789ab/hashstates/sha256/0`, 'opaque');

    expect(await fixture.backend.repositories()).toEqual(['library/busybox']);
    expect(await fixture.backend.tags('library/busybox')).toEqual(['latest']);
    expect(await fixture.backend.getManifest('library/busybox', 'latest')).toEqual({ digest, mediaType: MediaTypes.DockerManifest, content: manifest });
    expect(await text(await fixture.backend.readBlob('library/busybox', sha256Digest(layer)))).toBe(layer);
    expect(await fixture.backend.uploadState('library/busybox', '3b5f4a1e-1111-4c2d-9e8f-0123456789ab')).toEqual({
      id: '3b5f4a1e-1111-4c2d-9e8f-0123456789ab',
      size: 7,
      startedAt: new Date('2024-05-01T10:00:00Z'),
    });
  });

  it('writes what it stores in the same layout', async () => {
    const { root } = fixture;
    const upload = await fixture.backend.startUpload('app');
    expect((await stat(join(root, V2, `repositories/app/_uploads/${upload.id}/startedat`))).isFile()).toBe(true);
    await fixture.backend.appendUpload('app', upload.id, stream('data'));
    expect(await readFile(join(root, V2, `repositories/app/_uploads/${upload.id}/data`), 'utf8')).toBe('data');
    await fixture.backend.cancelUpload('app', upload.id);

    const { digest } = await pushImage(fixture.backend, 'app', 'v1', 'seed');
    const hex = hexOf(digest);
    const layerHex = hexOf(sha256Digest('layer of seed'));
    const read = (path: string): Promise<string> => readFile(join(root, V2, path), 'utf8');
    expect(await read(`repositories/app/_layers/sha256/${layerHex}/link`)).toBe(`sha256:${layerHex}`);
    expect(await read(`blobs/sha256/${layerHex.slice(0, 2)}/${layerHex}/data`)).toBe('layer of seed');
    expect(await read(`repositories/app/_manifests/revisions/sha256/${hex}/link`)).toBe(digest);
    expect(await read(`repositories/app/_manifests/tags/v1/current/link`)).toBe(digest);
    expect(await read(`repositories/app/_manifests/tags/v1/index/sha256/${hex}/link`)).toBe(digest);
    expect(sha256Digest(await readFile(join(root, V2, `blobs/sha256/${hex.slice(0, 2)}/${hex}/data`)))).toBe(digest);
  });
});
