import { readdir, rename, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageBackend } from './backend.js';
import { FilesystemDriver } from './filesystem-driver.js';
import { garbageCollect, type GarbageCollectOptions } from './garbage-collect.js';
import { writeLink } from './links.js';
import { blobDataPath, revisionLinkPath, tagCurrentLinkPath } from './paths.js';
import type { StorageDriver } from './storage-driver.js';
import { S3Driver } from './s3-driver.js';
import { descriptorOf, imageManifest, makeBackend, pushBlob, type BackendFixture } from './test-support/backend-fixture.js';
import { useTestS3Server } from './test-support/s3-server.js';

const HOUR = 3_600_000;

/** Makes everything stored so far look two hours old, past the grace period. */
async function age(dir: string): Promise<void> {
  const then = new Date(Date.now() - 2 * HOUR);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await age(path);
    await utimes(path, then, then);
  }
}

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  return found.sort();
}

async function blobExists(root: string, digest: string): Promise<boolean> {
  const hex = digest.slice('sha256:'.length);
  return stat(join(root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')).then(() => true, () => false);
}

/** Pushes config and layers (strings) into the repository and a manifest over them under `reference`. */
async function push(backend: StorageBackend, repository: string, reference: string, config: string, layers: string[]): Promise<string> {
  for (const blob of [config, ...layers]) await pushBlob(backend, repository, blob);
  return (await backend.putManifest(repository, reference, imageManifest(config, layers), MediaTypes.OciManifest)).digest;
}

/** Every blob of the image reads back whole. */
async function expectPullable(backend: StorageBackend, repository: string, reference: string, blobs: string[]): Promise<void> {
  await backend.getManifest(repository, reference);
  for (const blob of blobs) {
    const chunks: Buffer[] = [];
    for await (const chunk of await backend.readBlob(repository, sha256Digest(blob))) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(blob);
  }
}

/** A driver that runs `during` once, right after garbage collection moves its `nth` blob aside. */
function interrupting(driver: StorageDriver, nth: number, during: () => Promise<void>): StorageDriver {
  let moved = 0;
  return Object.assign(Object.create(driver) as StorageDriver, {
    async move(source: string, destination: string) {
      await driver.move(source, destination);
      if (destination.endsWith('.gc') && ++moved === nth) await during();
    },
  });
}

const options: GarbageCollectOptions = { dryRun: false, deleteUntagged: true, graceMs: HOUR };

describe('garbageCollect', () => {
  let fixture: BackendFixture;
  afterEach(() => fixture?.cleanup());

  /** Image a (kept) and image b (tag deleted) share a layer; everything aged past the grace period. */
  async function twoImages(): Promise<{ backend: StorageBackend; driver: FilesystemDriver; onlyB: string[]; b: string }> {
    fixture = await makeBackend(true);
    const { backend } = fixture;
    await push(backend, 'a', 'v1', 'config a', ['shared', 'only a']);
    const b = await push(backend, 'b', 'v1', 'config b', ['shared', 'only b']);
    await backend.deleteManifest('b', 'v1');
    await age(fixture.root);
    return { backend, driver: backend.driver as FilesystemDriver, onlyB: [b, sha256Digest('config b'), sha256Digest('only b')].sort(), b };
  }

  it('frees exactly the blobs only the untagged image used, with their layer links; shared layers stay', async () => {
    const { backend, driver, onlyB, b } = await twoImages();
    const report = await garbageCollect(driver, options);
    expect(report.manifests).toEqual([{ repository: 'b', digest: b }]);
    expect(report.blobs.map((b) => b.digest).sort()).toEqual(onlyB);
    expect(report.layerLinks.map((l) => `${l.repository} ${l.digest}`).sort()).toEqual(
      [sha256Digest('config b'), sha256Digest('only b')].map((d) => `b ${d}`).sort(),
    );
    expect(report.bytesFreed).toBe(report.blobs.reduce((sum, b) => sum + b.size, 0));
    for (const digest of onlyB) expect(await blobExists(fixture.root, digest)).toBe(false);
    await expectPullable(backend, 'a', 'v1', ['config a', 'shared', 'only a']);
    expect(await backend.statBlob('b', sha256Digest('shared'))).toEqual({ size: 6 });
    expect(await backend.statBlob('b', sha256Digest('only b'))).toBeUndefined();
    expect(await garbageCollect(driver, options)).toMatchObject({ blobs: [], manifests: [], layerLinks: [] });
  });

  it('without --delete-untagged keeps an untagged manifest and its blobs', async () => {
    const { driver } = await twoImages();
    expect(await garbageCollect(driver, { ...options, deleteUntagged: false })).toMatchObject({ blobs: [], manifests: [] });
  });

  it('in a dry run reports the same and deletes nothing', async () => {
    const { driver, onlyB } = await twoImages();
    const before = await files(fixture.root);
    const lines: string[] = [];
    const report = await garbageCollect(driver, { ...options, dryRun: true, log: (line) => lines.push(line) });
    expect(report.blobs.map((b) => b.digest).sort()).toEqual(onlyB);
    expect(report.manifests).toHaveLength(1);
    expect(lines).toContain(`blob eligible for deletion: ${sha256Digest('only b')}`);
    expect(await files(fixture.root)).toEqual(before);
  });

  it('keeps a blob written within the grace period that no manifest names yet, and its manifest can follow', async () => {
    const { backend, driver } = await twoImages();
    await pushBlob(backend, 'c', 'fresh layer');
    await pushBlob(backend, 'c', 'config c');
    await garbageCollect(driver, options);
    await backend.putManifest('c', 'v1', imageManifest('config c', ['fresh layer']), MediaTypes.OciManifest);
    await expectPullable(backend, 'c', 'v1', ['config c', 'fresh layer']);
  });

  it('keeps the layers of a schema1 manifest a Go registry left, and the stored foreign layers of a manifest', async () => {
    const { driver } = await twoImages();
    const { backend } = fixture;
    const [legacyLayer, foreignLayer] = [await pushBlob(backend, 'old', 'legacy layer'), await pushBlob(backend, 'win', 'foreign layer')];
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'old', tag: 'v1', fsLayers: [{ blobSum: legacyLayer }] }));
    const schema1Digest = sha256Digest(schema1);
    await driver.putContent(blobDataPath(schema1Digest), schema1);
    await writeLink(driver, revisionLinkPath('old', schema1Digest), schema1Digest);
    await writeLink(driver, tagCurrentLinkPath('old', 'v1'), schema1Digest);
    await pushBlob(backend, 'win', 'config w');
    const windows = imageManifest('config w', [], {
      layers: [{ ...descriptorOf('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'foreign layer'), urls: ['https://example.invalid/layer'] }],
    });
    await backend.putManifest('win', 'v1', windows, MediaTypes.OciManifest);
    await age(fixture.root);
    const report = await garbageCollect(driver, options);
    expect(report.blobs.map((blob) => blob.digest)).not.toContain(legacyLayer);
    expect(report.blobs.map((blob) => blob.digest)).not.toContain(foreignLayer);
    expect(await backend.statBlob('old', legacyLayer)).toBeDefined();
    expect(await backend.statBlob('win', foreignLayer)).toBeDefined();
  });

  it('keeps the children of a tagged index, and frees them once the index is untagged', async () => {
    fixture = await makeBackend(true);
    const { backend } = fixture;
    const child = await push(backend, 'multi', sha256Digest(imageManifest('config x', ['layer x'])), 'config x', ['layer x']);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [descriptorOf(MediaTypes.OciManifest, imageManifest('config x', ['layer x']))] }));
    await backend.putManifest('multi', 'latest', index, MediaTypes.OciIndex);
    await age(fixture.root);
    expect(await garbageCollect(backend.driver, options)).toMatchObject({ blobs: [], manifests: [] });
    await expectPullable(backend, 'multi', child, ['config x', 'layer x']);
    await backend.deleteManifest('multi', 'latest');
    const report = await garbageCollect(backend.driver, options);
    expect(report.blobs).toHaveLength(4);
    expect(report.manifests).toHaveLength(2);
  });

  it('gives an untagged child back its revision when an index naming it is stored while the run removes it', async () => {
    fixture = await makeBackend(true);
    const { backend } = fixture;
    const child = imageManifest('config x', ['layer x']);
    await push(backend, 'multi', sha256Digest(child), 'config x', ['layer x']);
    await age(fixture.root);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [descriptorOf(MediaTypes.OciManifest, child)] }));
    const driver = backend.driver;
    const racing = Object.assign(Object.create(driver) as StorageDriver, {
      async delete(path: string) {
        if (path.endsWith(`/revisions/sha256/${sha256Digest(child).slice(7)}`)) await backend.putManifest('multi', 'latest', index, MediaTypes.OciIndex);
        await driver.delete(path);
      },
    });
    const report = await garbageCollect(racing, options);
    expect(report).toMatchObject({ manifests: [], blobs: [] });
    await expectPullable(backend, 'multi', sha256Digest(child), ['config x', 'layer x']);
    expect((await backend.getManifest('multi', 'latest')).content).toEqual(index);
  });

  it('puts back the blobs a run that stopped midway left aside', async () => {
    const { backend, driver } = await twoImages();
    const hex = sha256Digest('only a').slice(7);
    const dir = join(fixture.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex);
    await rename(dir, `${dir}.gc`);
    await garbageCollect(driver, options);
    await expectPullable(backend, 'a', 'v1', ['config a', 'shared', 'only a']);
    expect(await readdir(join(dir, '..'))).toEqual([hex]);
  });

  it('a push during the sweep that reuses a blob being collected stays pullable', async () => {
    const { backend, driver } = await twoImages();
    for (let nth = 1; nth <= 3; nth++) {
      const tag = `during-${nth}`;
      const report = await garbageCollect(
        interrupting(driver, nth, () => push(backend, 'c', tag, `config ${tag}`, ['only b', `layer ${tag}`]).then(() => undefined)),
        options,
      );
      expect(report.blobs.map((b) => b.digest)).not.toContain(sha256Digest('only b'));
      await expectPullable(backend, 'c', tag, [`config ${tag}`, 'only b', `layer ${tag}`]);
      await age(fixture.root);
      await backend.deleteManifest('c', tag);
    }
    await expectPullable(backend, 'a', 'v1', ['config a', 'shared', 'only a']);
  });

  it('a push whose blobs were linked before the grace period and whose manifest comes during the sweep is whole or refused', async () => {
    for (let nth = 1; nth <= 3; nth++) {
      const { backend, driver } = await twoImages();
      await pushBlob(backend, 'd', 'config d');
      await pushBlob(backend, 'd', 'only b');
      await age(fixture.root);
      const manifest = imageManifest('config d', ['only b']);
      let refused: unknown;
      await garbageCollect(
        interrupting(driver, nth, () => backend.putManifest('d', 'v1', manifest, MediaTypes.OciManifest).then(() => undefined, (err: unknown) => void (refused = err))),
        options,
      );
      if (refused === undefined) {
        await expectPullable(backend, 'd', 'v1', ['config d', 'only b']);
      } else {
        expect(refused).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
        await expect(backend.getManifest('d', 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
      }
      await fixture.cleanup();
    }
  });
});

describe('garbageCollect over the S3 driver', () => {
  const s3 = useTestS3Server();

  it('frees exactly the blobs only the untagged image used while the pullable image stays whole', async () => {
    const driver = new S3Driver(s3.server.driverOptions());
    const backend = new StorageBackend(driver, { deleteEnabled: true });
    await push(backend, 'a', 'v1', 'config a', ['shared', 'only a']);
    const b = await push(backend, 'b', 'v1', 'config b', ['shared', 'only b']);
    await backend.deleteManifest('b', 'v1');
    // S3 cannot backdate an object, so no grace: everything stored before the run is old enough.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const report = await garbageCollect(driver, { ...options, graceMs: 0 });
    expect(report.manifests).toEqual([{ repository: 'b', digest: b }]);
    expect(report.blobs.map((blob) => blob.digest).sort()).toEqual([b, sha256Digest('config b'), sha256Digest('only b')].sort());
    await expectPullable(backend, 'a', 'v1', ['config a', 'shared', 'only a']);
    expect(await backend.statBlob('b', sha256Digest('only b'))).toBeUndefined();
    expect((await driver.list('/docker/registry/v2/blobs/sha256')).length).toBe(4);
    expect(await garbageCollect(driver, { ...options, graceMs: 0 })).toMatchObject({ blobs: [], manifests: [] });
    await driver.delete('/');
  });
});

describe('the server beside a garbage collection', () => {
  let fixture: BackendFixture;
  afterEach(() => fixture?.cleanup());

  /** A backend whose driver lets a collection take `digest`'s content just before a link matching `linkPath` is written. */
  async function racedBackend(linkPath: RegExp, digest: string): Promise<StorageBackend> {
    fixture = await makeBackend(true);
    const driver = fixture.backend.driver;
    let taken = false;
    const raced = Object.assign(Object.create(driver) as StorageDriver, {
      async putContent(path: string, content: Buffer) {
        if (!taken && linkPath.test(path) && (await blobExists(fixture.root, digest))) {
          taken = true;
          await driver.delete(`/docker/registry/v2/blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`);
        }
        await driver.putContent(path, content);
      },
    });
    return new StorageBackend(raced, { deleteEnabled: true });
  }

  it('refuses a manifest whose blob was taken between its check and its revision link, storing nothing', async () => {
    const backend = await racedBackend(/_manifests\/revisions\//, sha256Digest('layer'));
    await pushBlob(backend, 'r', 'config');
    await pushBlob(backend, 'r', 'layer');
    await expect(backend.putManifest('r', 'v1', imageManifest('config', ['layer']), MediaTypes.OciManifest)).rejects.toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
    });
    await expect(backend.getManifest('r', sha256Digest(imageManifest('config', ['layer'])))).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('writes the manifest content again when it is taken between its first write and its revision link', async () => {
    const content = imageManifest('config', ['layer']);
    const backend = await racedBackend(/_manifests\/revisions\//, sha256Digest(content));
    await pushBlob(backend, 'r', 'config');
    await pushBlob(backend, 'r', 'layer');
    await fixture.backend.putManifest('r', sha256Digest(content), content, MediaTypes.OciManifest);
    await backend.putManifest('r', 'v1', content, MediaTypes.OciManifest);
    expect((await backend.getManifest('r', 'v1')).content).toEqual(content);
  });

  it('puts back the content an upload found stored when it is taken before the upload links it', async () => {
    const backend = await racedBackend(/_layers\//, sha256Digest('layer'));
    await pushBlob(fixture.backend, 'other', 'layer');
    await pushBlob(backend, 'r', 'layer');
    await pushBlob(backend, 'r', 'config');
    await backend.putManifest('r', 'v1', imageManifest('config', ['layer']), MediaTypes.OciManifest);
    await expectPullable(backend, 'r', 'v1', ['config', 'layer']);
  });
});
