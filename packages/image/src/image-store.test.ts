import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, InternalError, InvalidArgumentError, NotFoundError, type ProgressMessage } from '@berth/api';
import { LayerStore } from '@berth/layer';
import { sha256Digest } from '@berth/reference';
import { ImageStore } from './image-store.js';
import { dockerArchive, imageConfig, ociArchive, tarOf, type TarEntry } from './test-support/archive-builder.js';

let dir: string;
let layers: LayerStore;
let store: ImageStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-image-'));
  layers = await LayerStore.open(join(dir, 'layers'));
  store = await ImageStore.open(join(dir, 'image'), layers);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (): Promise<Buffer> =>
  tarOf([{ name: 'etc' }, { name: 'etc/os-release', content: 'ID=berth\n' }, { name: 'bin' }]);
const top = (): Promise<Buffer> => tarOf([{ name: 'app' }, { name: 'app/hello.txt', content: 'hello\n' }]);

async function busyboxLayer(): Promise<Buffer> {
  const entries: TarEntry[] = [
    { name: 'bin' },
    { name: 'bin/busybox', content: await readFile('/bin/busybox'), mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
    { name: 'etc' },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
  ];
  return tarOf(entries);
}

function load(archive: Buffer, onProgress?: (m: ProgressMessage) => void): Promise<string[]> {
  return store.load(Readable.from([archive]), { onProgress });
}

async function expectStagingEmpty(): Promise<void> {
  expect(await readdir(join(dir, 'image', 'tmp'))).toEqual([]);
}

describe('load', () => {
  it('loads a two-layer image and serves it by name, ID, short ID and canonical reference', async () => {
    const [l1, l2] = [await base(), await top()];
    const progress: ProgressMessage[] = [];
    const lines = await load(await dockerArchive([{ layers: [l1, l2], repoTags: ['app:v1'] }]), (m) => progress.push(m));
    expect(lines).toEqual(['Loaded image: app:v1']);
    expect(progress.some((m) => m.status === 'Loading layer' && m.id === sha256Digest(l2).slice(7, 19))).toBe(true);

    const [summary] = store.list();
    expect(summary).toMatchObject({
      RepoTags: ['app:v1'],
      RepoDigests: [],
      ParentId: '',
      Created: Date.parse('2024-05-01T12:00:00Z') / 1000,
      SharedSize: -1,
      Containers: -1,
      Labels: {},
    });
    expect(summary.Size).toBe(layers.get(sha256Digest(l1))!.size + layers.list().find((l) => l.diffId === sha256Digest(l2))!.size);
    const id = summary.Id;
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);

    for (const name of ['app:v1', 'docker.io/library/app:v1', id, id.slice(7), id.slice(7, 19), id.slice(0, 12), id.slice(7, 8)]) {
      expect(store.resolve(name).id).toBe(id);
    }
    const resolved = store.resolve('app:v1');
    expect(resolved.repoTags).toEqual(['app:v1']);
    expect(resolved.chainId).toBe(sha256Digest(`${sha256Digest(l1)} ${sha256Digest(l2)}`));
    expect(resolved.config.rootfs.diff_ids).toEqual([sha256Digest(l1), sha256Digest(l2)]);

    const inspect = store.inspect('app:v1');
    expect(inspect).toMatchObject({
      Id: id,
      RepoTags: ['app:v1'],
      Os: 'linux',
      Architecture: 'amd64',
      Created: '2024-05-01T12:00:00Z',
      RootFS: { Type: 'layers', Layers: [sha256Digest(l1), sha256Digest(l2)] },
      Config: { Cmd: ['sh'], Entrypoint: null, WorkingDir: '', User: '' },
      GraphDriver: { Name: 'overlay2' },
      Size: summary.Size,
    });
    expect(inspect.Metadata.LastTagTime).not.toBe('0001-01-01T00:00:00Z');
    const data = inspect.GraphDriver.Data!;
    expect(await readFile(join(data.UpperDir, 'app/hello.txt'), 'utf8')).toBe('hello\n');
    expect(await readFile(join(data.LowerDir, 'etc/os-release'), 'utf8')).toBe('ID=berth\n');
    await expectStagingEmpty();
  });

  it('loads a busybox image whose layer unpacks to the real binary', async () => {
    const lines = await load(await dockerArchive([{ layers: [await busyboxLayer()], repoTags: ['busybox:latest'] }]));
    expect(lines).toEqual(['Loaded image: busybox:latest']);
    const { Data } = store.inspect('busybox').GraphDriver;
    expect(Data!.LowerDir).toBeUndefined();
    expect((await stat(join(Data!.UpperDir, 'bin/busybox'))).size).toBe((await stat('/bin/busybox')).size);
    expect(store.resolve('docker.io/library/busybox:latest').repoTags).toEqual(['busybox:latest']);
  });

  it('reports an untagged image by ID', async () => {
    const lines = await load(await dockerArchive([{ layers: [await base()] }]));
    const [{ Id, RepoTags }] = store.list();
    expect(lines).toEqual([`Loaded image ID: ${Id}`]);
    expect(RepoTags).toEqual([]);
    expect(store.inspect(Id).Metadata.LastTagTime).toBe('0001-01-01T00:00:00Z');
  });

  it('is idempotent', async () => {
    const archive = await dockerArchive([{ layers: [await base(), await top()], repoTags: ['app:v1'] }]);
    expect(await load(archive)).toEqual(['Loaded image: app:v1']);
    expect(await load(archive)).toEqual(['Loaded image: app:v1']);
    expect(store.list()).toHaveLength(1);
    expect(layers.list()).toHaveLength(2);
  });

  it('moves a tag off an older image, leaving it dangling', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['app:v1'] }]));
    const oldId = store.resolve('app:v1').id;
    const progress: ProgressMessage[] = [];
    await load(await dockerArchive([{ layers: [await top()], repoTags: ['app:v1'] }]), (m) => progress.push(m));
    expect(store.resolve('app:v1').id).not.toBe(oldId);
    expect(store.resolve(oldId).repoTags).toEqual([]);
    expect(progress).toContainEqual({
      stream: `The image app:v1 already exists, renaming the old one with ID ${oldId} to empty string\n`,
    });
  });

  it('loads an OCI image layout with gzip-compressed layers', async () => {
    const [l1, l2] = [await base(), await top()];
    expect(await load(await ociArchive([l1, l2], 'docker.io/library/oci:1'))).toEqual(['Loaded image: oci:1']);
    expect(store.inspect('oci:1').RootFS.Layers).toEqual([sha256Digest(l1), sha256Digest(l2)]);
  });

  it("shows the deprecated Container and ContainerConfig from the config, an empty container config when it has none (as moby's graphdriver store)", async () => {
    const l1 = await base();
    const legacy = { container: 'abc123', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'], Volumes: { '/v': {} } } };
    const config = Buffer.from(JSON.stringify(imageConfig([sha256Digest(l1)], legacy)));
    await load(await dockerArchive([{ layers: [l1], repoTags: ['legacy:1'], config }, { layers: [l1], repoTags: ['plain:1'] }]));
    expect(store.inspect('legacy:1')).toMatchObject({ Container: 'abc123', ContainerConfig: { Cmd: legacy.container_config.Cmd, Volumes: { '/v': {} }, Env: null, Image: '' } });
    expect(store.inspect('plain:1')).toMatchObject({ Container: '', ContainerConfig: { Cmd: null, Volumes: null, Entrypoint: null, WorkingDir: '' } });
  });
});

describe('load rejects hostile or broken archives', () => {
  async function expectNothingRegistered(): Promise<void> {
    expect(store.list()).toEqual([]);
    expect(layers.list()).toEqual([]);
    await expectStagingEmpty();
  }

  it('a layer with an entry escaping the layer', async () => {
    const evil = await tarOf([{ name: '../escape', content: 'pwned' }]);
    const error = await load(await dockerArchive([{ layers: [await base(), evil], repoTags: ['evil:latest'] }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('../escape');
    await expectNothingRegistered();
    expect(() => store.resolve('evil')).toThrow(NotFoundError);
    const everything = await readdir(dir, { recursive: true });
    expect(everything.filter((name) => name.endsWith('escape'))).toEqual([]);
  });

  it('an archive entry escaping staging', async () => {
    const archive = await dockerArchive([{ layers: [await base()], repoTags: ['evil:latest'] }], [{ name: '../escape', content: 'x' }]);
    const error = await load(archive).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('../escape');
    expect(await readdir(join(dir, 'image'))).not.toContain('escape');
    await expectNothingRegistered();
  });

  it('a manifest path that is a symlink out of the archive', async () => {
    const secret = join(dir, 'secret.json');
    await writeFile(secret, JSON.stringify(imageConfig([])));
    const archive = await tarOf([
      { name: 'config.json', type: 'symlink', linkname: secret },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', RepoTags: ['evil:latest'], Layers: [] }]) },
    ]);
    await expect(load(archive)).rejects.toThrow(/outside the archive/);
    await expectNothingRegistered();
  });

  it('a manifest path climbing out of staging', async () => {
    const archive = await tarOf([
      { name: 'manifest.json', content: JSON.stringify([{ Config: '../../repositories.json', RepoTags: null, Layers: [] }]) },
    ]);
    await expect(load(archive)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expectNothingRegistered();
  });

  it('a config that does not match its digest', async () => {
    const layer = await base();
    const config = Buffer.from(JSON.stringify(imageConfig([sha256Digest(layer)])));
    const wrongHex = sha256Digest('something else').slice(7);
    const archive = await tarOf([
      { name: `${wrongHex}.json`, content: config },
      { name: 'layer.tar', content: layer },
      { name: 'manifest.json', content: JSON.stringify([{ Config: `${wrongHex}.json`, RepoTags: ['bad:latest'], Layers: ['layer.tar'] }]) },
    ]);
    await expect(load(archive)).rejects.toThrow(new InvalidArgumentError(`invalid image config ${wrongHex}.json: expected digest sha256:${wrongHex}, got ${sha256Digest(config)}`));
    await expectNothingRegistered();
  });

  it('a layer whose diff ID differs from the config', async () => {
    const [l1, l2] = [await base(), await top()];
    const config = Buffer.from(JSON.stringify(imageConfig([sha256Digest(l1), sha256Digest('not this layer')])));
    const archive = await dockerArchive([{ layers: [l1, l2], config, repoTags: ['bad:latest'] }]);
    const error = await load(archive).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain(`invalid diffID for layer 1 (blobs/sha256/${sha256Digest(l2).slice(7)})`);
    await expectNothingRegistered();
  });

  it('an archive without manifest.json', async () => {
    await expect(load(await tarOf([{ name: 'hello.txt', content: 'hi' }]))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expectNothingRegistered();
  });

  it('a layer count that disagrees with the config', async () => {
    const layer = await base();
    const config = Buffer.from(JSON.stringify(imageConfig([])));
    await expect(load(await dockerArchive([{ layers: [layer], config }]))).rejects.toThrow(
      'invalid manifest, layers length mismatch: expected 0, got 1',
    );
    await expectNothingRegistered();
  });
});

describe('resolve', () => {
  it('reports what was asked for in the familiar form', async () => {
    expect(() => store.resolve('busybox')).toThrow(new NotFoundError('No such image: busybox:latest'));
    expect(() => store.resolve('docker.io/library/busybox:1.36')).toThrow(new NotFoundError('No such image: busybox:1.36'));
    const id = sha256Digest('nothing');
    expect(() => store.resolve(id)).toThrow(new NotFoundError(`No such image: ${id}`));
    expect(() => store.resolve('Upper')).toThrow(InvalidArgumentError);
  });

  it('treats an ambiguous ID prefix as not found', async () => {
    for (let i = 0; ; i++) {
      await load(await dockerArchive([{ layers: [await tarOf([{ name: `f${i}`, content: `${i}` }])] }]));
      const ids = store.list().map((s) => s.Id.slice(7));
      const firsts = ids.map((hex) => hex[0]);
      const shared = firsts.find((c, index) => firsts.indexOf(c) !== index);
      if (shared !== undefined) {
        expect(() => store.resolve(shared)).toThrow(NotFoundError);
        return;
      }
    }
  });
});

describe('tag', () => {
  it('adds names, refuses digests, and moves tags', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['app:v1'] }]));
    const id = store.resolve('app:v1').id;
    await store.tag('app:v1', 'localhost:5000/team/app');
    await store.tag(id.slice(7, 15), 'app:v2');
    expect(store.resolve(id).repoTags).toEqual(['app:v1', 'app:v2', 'localhost:5000/team/app:latest']);
    await expect(store.tag('app:v1', `app@${sha256Digest('x')}`)).rejects.toThrow('refusing to create a tag with a digest reference');
    await expect(store.tag('nope', 'app:v3')).rejects.toThrow(new NotFoundError('No such image: nope:latest'));
  });

  it('survives a restart', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['app:v1'] }]));
    await store.tag('app:v1', 'app:v2');
    const reopened = await ImageStore.open(join(dir, 'image'), await LayerStore.open(join(dir, 'layers')));
    expect(reopened.list().map((s) => s.RepoTags)).toEqual([['app:v1', 'app:v2']]);
    expect(reopened.inspect('app:v2').Metadata.LastTagTime).toBe(store.inspect('app:v2').Metadata.LastTagTime);
  });
});

describe('remove', () => {
  it('untags while other names remain, then deletes and releases only unused layers', async () => {
    const [l1, l2] = [await base(), await top()];
    await load(await dockerArchive([{ layers: [l1], repoTags: ['base:latest'] }, { layers: [l1, l2], repoTags: ['app:v1'] }]));
    await store.tag('app:v1', 'app:v2');
    const appId = store.resolve('app:v1').id;
    const appTop = store.resolve('app:v1').chainId!;

    expect(await store.remove('app:v1')).toEqual([{ Untagged: 'app:v1' }]);
    expect(await store.remove('app:v2')).toEqual([{ Untagged: 'app:v2' }, { Deleted: appId }, { Deleted: appTop }]);
    expect(layers.get(sha256Digest(l1))).toBeDefined();
    expect(() => store.resolve(appId)).toThrow(NotFoundError);

    const baseId = store.resolve('base').id;
    expect(await store.remove('base')).toEqual([{ Untagged: 'base:latest' }, { Deleted: baseId }, { Deleted: sha256Digest(l1) }]);
    expect(layers.list()).toEqual([]);
    expect(store.list()).toEqual([]);
    expect(await readdir(join(dir, 'image', 'blobs', 'sha256'))).toEqual([]);
  });

  it('by ID deletes an image with one name, but needs force for several (as Docker)', async () => {
    const layer = await base();
    await load(await dockerArchive([{ layers: [layer], repoTags: ['app:v1', 'app:v2'] }]));
    const id = store.resolve('app:v1').id;
    await expect(store.remove(id.slice(7, 19))).rejects.toThrow(
      new ConflictError(`conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`),
    );
    expect(await store.remove(id.slice(7, 19), { force: true })).toEqual([
      { Untagged: 'app:v1' },
      { Untagged: 'app:v2' },
      { Deleted: id },
      { Deleted: sha256Digest(layer) },
    ]);

    await load(await dockerArchive([{ layers: [layer], repoTags: ['app:v1'] }]));
    expect(await store.remove(id)).toEqual([{ Untagged: 'app:v1' }, { Deleted: id }, { Deleted: sha256Digest(layer) }]);
    expect(store.list()).toEqual([]);
  });

  it('does not find what is not there', async () => {
    await expect(store.remove('ghost')).rejects.toThrow(new NotFoundError('No such image: ghost:latest'));
  });
});

describe('open', () => {
  it('clears staging and keeps an image whose layer is missing, reported and unusable', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['keep:latest'] }]));
    await load(await dockerArchive([{ layers: [await top()], repoTags: ['lost:latest'] }]));
    const lost = store.resolve('lost');
    await layers.remove(lost.chainId!);
    await writeFile(join(dir, 'image', 'tmp', 'debris'), 'x');

    const messages: string[] = [];
    const reopened = await ImageStore.open(join(dir, 'image'), layers, { log: (m) => messages.push(m) });
    expect(reopened.list().map((s) => s.RepoTags).sort()).toEqual([['keep:latest'], ['lost:latest']]);
    expect(messages).toEqual([`image ${lost.id} (lost:latest) is unusable: layer ${lost.chainId} is missing`]);
    expect(() => reopened.resolve('lost')).toThrow(
      new InternalError(`image lost is unusable: layer ${lost.chainId} is missing; load it again or remove it`),
    );
    expect(reopened.inspect('lost').GraphDriver.Data).toBeNull();
    await expect(reopened.save(['lost'])).rejects.toBeInstanceOf(InternalError);
    expect(await reopened.check()).toEqual([]);
    expect(await readdir(join(dir, 'image', 'blobs', 'sha256'))).toContain(lost.id.slice('sha256:'.length));
    await expect(readdir(join(dir, 'image', 'tmp'))).resolves.toEqual([]);
    expect(await reopened.remove('lost')).toEqual([{ Untagged: 'lost:latest' }, { Deleted: lost.id }]);
  });

  it('keeps an image on a quarantined layer with the layers above it, until it is loaded again', async () => {
    const [l1, l2] = [await base(), await top()];
    const archive = await dockerArchive([{ layers: [l1, l2], repoTags: ['app:v1'] }]);
    await load(archive);
    const app = store.resolve('app:v1');
    const bottom = sha256Digest(l1);
    await writeFile(join(dir, 'layers', bottom.slice('sha256:'.length), 'metadata.json'), 'not json');

    const notes: string[] = [];
    layers = await LayerStore.open(join(dir, 'layers'), { log: (m) => notes.push(m) });
    store = await ImageStore.open(join(dir, 'image'), layers, { log: (m) => notes.push(m) });
    const quarantined = layers.quarantinedAt(bottom)!;
    expect(notes).toEqual([
      expect.stringContaining(`moved to ${quarantined}`),
      `image ${app.id} (app:v1) is unusable: layer ${bottom} is quarantined at ${quarantined}`,
    ]);
    expect(store.list().map((s) => s.RepoTags)).toEqual([['app:v1']]);
    expect(() => store.resolve('app:v1')).toThrow(`layer ${bottom} is quarantined at ${quarantined}`);
    // The intact layer above the quarantined one belongs to the kept image: the check keeps it.
    expect(await store.check()).toEqual([]);
    expect(layers.get(app.chainId!)).toBeDefined();

    expect(await load(archive)).toEqual(['Loaded image: app:v1']);
    expect(store.resolve('app:v1').chainId).toBe(app.chainId);
    expect(store.inspect('app:v1').GraphDriver.Data).not.toBeNull();
    expect(await readFile(join(quarantined, 'diff', 'etc', 'os-release'), 'utf8')).toBe('ID=berth\n');
  });
});

describe('create', () => {
  /** A layer upload whose client sent part of the tar and went quiet. */
  function stalledUpload(tar: Buffer): PassThrough {
    const upload = new PassThrough();
    upload.write(tar.subarray(0, 700));
    return upload;
  }

  async function until(condition: () => Promise<boolean>): Promise<void> {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  const staged = async (): Promise<string[]> => readdir(join(dir, 'layers', 'tmp'));

  it('lets tag, remove and load proceed while an upload stalls, and leaves nothing when it is aborted', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['base:1'] }]));
    const upload = stalledUpload(await busyboxLayer());
    const importing = store.create({ layer: upload, runConfig: {}, history: { comment: 'imported' }, tag: 'imported:1' });
    await until(async () => (await staged()).length > 0);

    await store.tag('base:1', 'other:1');
    expect(await store.remove('other:1')).toEqual([{ Untagged: 'other:1' }]);
    expect(await load(await dockerArchive([{ layers: [await top()], repoTags: ['top:1'] }]))).toEqual(['Loaded image: top:1']);

    upload.destroy(new Error('client went away'));
    await expect(importing).rejects.toThrow('client went away');
    expect(store.list().map((s) => s.RepoTags).sort()).toEqual([['base:1'], ['top:1']]);
    expect(layers.list()).toHaveLength(2);
    expect(await staged()).toEqual([]);
  });

  it('holds the parent while the layer streams, so removing the parent image keeps what the new image needs', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['base:1'] }]));
    const parent = store.resolve('base:1');
    const tar = await top();
    const upload = stalledUpload(tar);
    const committing = store.create({ parent: parent.id, layer: upload, runConfig: {}, history: { created_by: 'commit' }, tag: 'child:1' });
    await until(async () => (await staged()).length > 0);

    expect(await store.remove('base:1')).toEqual([{ Untagged: 'base:1' }, { Deleted: parent.id }]);
    expect(await store.check()).toEqual([]);
    upload.end(tar.subarray(700));
    const id = await committing;
    expect(store.resolve('child:1')).toMatchObject({ id, chainId: sha256Digest(`${parent.chainId} ${sha256Digest(tar)}`) });
    expect(layers.list()).toHaveLength(2);
  });

  it('tells the caller the layer is stored before the image is written, and keeps no layer when the image is not', async () => {
    await load(await dockerArchive([{ layers: [await base()], repoTags: ['base:1'] }]));
    const seen: string[] = [];
    const creating = store.create({
      parent: 'base:1',
      layer: Readable.from([await top()]),
      runConfig: {},
      history: {},
      onLayerStored: async () => {
        seen.push(`${layers.list().length} layers, ${store.list().length} images`);
        throw new Error('unpause failed');
      },
    });
    await expect(creating).rejects.toThrow('unpause failed');
    expect(seen).toEqual(['2 layers, 1 images']);
    expect(layers.list()).toHaveLength(1);
  });

  it('refuses a digest tag before reading the upload', async () => {
    const upload = new PassThrough();
    upload.write(await top());
    await expect(store.create({ layer: upload, runConfig: {}, history: {}, tag: `app@${sha256Digest('x')}` })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(upload.readableLength).toBe((await top()).length);
    expect(await staged()).toEqual([]);
  });
});

describe('events', () => {
  it('reports what it does to images as Docker names it: the reference for a tag, the ID otherwise', async () => {
    const seen: string[] = [];
    const evented = await ImageStore.open(join(dir, 'image'), layers, { onEvent: (e) => seen.push(`${e.action} ${e.name === e.id ? 'ID' : e.name}`) });
    await evented.load(Readable.from([await dockerArchive([{ layers: [await base()], repoTags: ['app:v1', 'app:v2'] }])]));
    const id = evented.resolve('app:v1').id;
    await evented.tag('app:v1', 'other');
    await evented.save(['app:v1']);
    const committed = await evented.create({ parent: id, runConfig: {}, history: {}, tag: 'child', event: 'create' });
    const imported = await evented.create({ layer: Readable.from([await top()]), runConfig: {}, history: {}, tag: 'imp:1', event: 'import' });
    await evented.remove('app:v2');
    await evented.remove(id, { force: true });
    expect(seen).toEqual([
      'load ID',
      'tag other:latest',
      'save ID',
      'create ID',
      'tag child:latest',
      'tag imp:1',
      'import ID',
      'untag ID',
      'untag ID',
      'untag ID',
      'delete ID',
    ]);
    expect([committed, imported]).not.toContain(id);
  });
});
