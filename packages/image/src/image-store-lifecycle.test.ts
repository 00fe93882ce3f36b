import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '@berth/api';
import { LayerStore } from '@berth/layer';
import { ImageStore } from './image-store.js';
import { dockerArchive, tarOf } from './test-support/archive-builder.js';

let dir: string;
let layers: LayerStore;
let store: ImageStore;
let held: string[];

async function open(root = dir): Promise<void> {
  layers = await LayerStore.open(join(root, 'layers'));
  store = await ImageStore.open(join(root, 'image'), layers, { layersInUse: () => held });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-image-life-'));
  held = [];
  await open();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (): Promise<Buffer> => tarOf([{ name: 'etc' }, { name: 'etc/os-release', content: 'ID=berth\n' }]);
const top = (): Promise<Buffer> => tarOf([{ name: 'app' }, { name: 'app/hello.txt', content: 'hello\n' }]);

async function loadTwo(): Promise<void> {
  const [l1, l2] = [await base(), await top()];
  await store.load(Readable.from([await dockerArchive([{ layers: [l1], repoTags: ['base:1'] }, { layers: [l1, l2], repoTags: ['app:1'] }])]));
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('save', () => {
  it('round-trips several images sharing a layer into a fresh store with the same IDs', async () => {
    await loadTwo();
    const archive = await collect(await store.save(['base:1', 'app']));
    const ids = store.list().map((image) => [image.RepoTags, image.Id]);

    const other = await mkdtemp(join(tmpdir(), 'berth-image-life-'));
    try {
      const otherLayers = await LayerStore.open(join(other, 'layers'));
      const fresh = await ImageStore.open(join(other, 'image'), otherLayers);
      expect((await fresh.load(Readable.from([archive]))).sort()).toEqual(['Loaded image: app:1', 'Loaded image: base:1']);
      expect(fresh.list().map((image) => [image.RepoTags, image.Id])).toEqual(ids);
      expect(otherLayers.list()).toHaveLength(2);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('remove with containers', () => {
  it("follows moby's conflict rules", async () => {
    await loadTwo();
    const app = store.resolve('app:1').id;
    const users = [{ id: 'c'.repeat(64), running: false }];
    await expect(store.remove('app:1', { usersOf: () => users })).rejects.toThrow(
      `conflict: unable to remove repository reference "app:1" (must force) - container cccccccccccc is using its referenced image ${app.slice(7, 19)}`,
    );
    await expect(store.remove(app.slice(7, 19), { usersOf: () => users })).rejects.toThrow(
      `unable to delete ${app.slice(7, 19)} (must be forced) - image is being used by stopped container cccccccccccc`,
    );
    const running = [{ id: 'c'.repeat(64), running: true }];
    // Forced by name with a running user: untagged, but the image stays (dangling).
    expect(await store.remove('app:1', { force: true, usersOf: () => running })).toEqual([{ Untagged: 'app:1' }]);
    expect(store.resolve(app).repoTags).toEqual([]);
    await expect(store.remove(app, { force: true, usersOf: () => running })).rejects.toThrow(ConflictError);
  });

  it('keeps layers a container still stands on after its image is force-removed', async () => {
    await loadTwo();
    const app = store.resolve('app:1');
    held = [app.chainId!];
    await store.remove('app:1', { force: true, usersOf: () => [{ id: 'c'.repeat(64), running: false }] });
    expect(layers.get(app.chainId!)).toBeDefined();
    held = [];
    expect(await store.check()).toEqual([`removed layer ${app.chainId}: no image uses it`]);
    expect(layers.list()).toHaveLength(1);
  });
});

describe('prune', () => {
  it('removes dangling images by default and unused ones with dangling=false', async () => {
    await loadTwo();
    const app = store.resolve('app:1').id;
    await store.remove('app:1', { force: true, usersOf: () => [{ id: 'c'.repeat(64), running: true }] });
    const dangling = await store.prune({ isInUse: () => false });
    expect(dangling.ImagesDeleted).toContainEqual({ Deleted: app });
    expect(dangling.SpaceReclaimed).toBe(6);
    const all = await store.prune({ isInUse: () => false, filters: { dangling: ['false'], label: ['none'] } });
    expect(all.ImagesDeleted).toEqual([]);
    const everything = await store.prune({ isInUse: () => false, filters: { dangling: ['false'] } });
    expect(everything.ImagesDeleted.map((r) => Object.keys(r)[0])).toEqual(['Untagged', 'Deleted', 'Deleted']);
    expect(layers.list()).toEqual([]);
  });
});

describe('create (import and commit)', () => {
  it('adds a layer on a parent with a run config and history, and tags it', async () => {
    await loadTwo();
    const id = await store.create({
      parent: store.resolve('base:1').id,
      layer: Readable.from([await top()]),
      runConfig: { Cmd: ['echo', 'hi'] },
      history: { created_by: 'commit', comment: 'c' },
      comment: 'c',
      tag: 'made',
    });
    expect(store.resolve('made:latest').id).toBe(id);
    const inspect = store.inspect('made');
    expect(inspect.Config?.Cmd).toEqual(['echo', 'hi']);
    expect(inspect.RootFS.Layers).toEqual(store.inspect('app:1').RootFS.Layers);
    expect(store.history('made').map((row) => row.CreatedBy)).toEqual(['commit', 'test']);
  });
});

describe('startup check', () => {
  it('removes the temp file of a tags write a crash interrupted, keeping the tags', async () => {
    await loadTwo();
    await writeFile(join(dir, 'image', '.repositories.json.0123456789ab.tmp'), '{"Repositories":');
    await open();
    expect((await readdir(join(dir, 'image'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(store.list().flatMap((image) => image.RepoTags).sort()).toEqual(['app:1', 'base:1']);
  });

  it('removes layers a crash left without an image', async () => {
    await layers.register(Readable.from([await base()]), null);
    await open();
    expect(await store.check()).toHaveLength(1);
    expect((await readdir(join(dir, 'layers'))).filter((name) => /^[a-f0-9]{64}$/.test(name))).toEqual([]);
  });
});
