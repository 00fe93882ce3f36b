import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { lstat, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@berth/api';
import { LayerStore } from './layer-store.js';
import { isMountPoint } from './mountinfo.js';
import { expectCanaryIntact, expectRejection, makeCanary } from './test-support/canary.js';
import { HOSTILE_CASES } from './test-support/hostile-corpus.js';
import { unmountAllUnder } from './test-support/mounts.js';
import { buildTar, gzip, streamOf } from './test-support/tar-builder.js';

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

let work: string;
let root: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-layers-'));
  root = join(work, 'layers');
});

afterEach(() => {
  unmountAllUnder(work);
  rmSync(work, { recursive: true, force: true });
});

const baseTar = () =>
  buildTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/os-release', type: 'file', content: 'ID=berth\n' },
    { name: 'a', type: 'file', content: 'from base' },
    { name: 'keep', type: 'file', content: 'kept' },
    { name: 'opq/', type: 'directory' },
    { name: 'opq/lower-only', type: 'file', content: 'hidden by opaque' },
  ]);

const topTar = () =>
  buildTar([
    { name: '.wh.a', type: 'file', content: '' },
    { name: 'opq/', type: 'directory' },
    { name: 'opq/.wh..wh..opq', type: 'file', content: '' },
    { name: 'opq/new', type: 'file', content: 'top' },
    { name: 'b', type: 'file', content: 'from top' },
  ]);

describe('LayerStore.register', () => {
  it('links a staged uncompressed tar in as the kept tar instead of writing a copy', async () => {
    const store = await LayerStore.open(root);
    const base = await baseTar();
    const staged = join(work, 'staged.tar');
    await writeFile(staged, base);
    const info = await store.register(streamOf(base), null, { tarFile: staged });
    const kept = await store.tarPath(info.chainId);
    expect((await lstat(kept)).ino).toBe((await lstat(staged)).ino);
    expect(sha256(await readFile(kept))).toBe(info.diffId);
    const other = join(work, 'other.tar');
    await writeFile(other, Buffer.concat([base, Buffer.alloc(512)]));
    await expect(store.register(streamOf(await topTar()), info.chainId, { tarFile: other })).rejects.toThrow('were extracted from it');
  });

  it('keeps the uncompressed tar byte for byte, so a gzip layer can be saved with its diffID', async () => {
    const store = await LayerStore.open(root);
    const base = await baseTar();
    const info = await store.register(streamOf(gzip(base)), null);
    const kept = await readFile(await store.tarPath(info.chainId));
    expect(kept.equals(base)).toBe(true);
    expect(sha256(kept)).toBe(info.diffId);
  });

  it('computes diffID and chainID and stores the layer', async () => {
    const store = await LayerStore.open(root);
    const base = await baseTar();
    const top = await topTar();

    const first = await store.register(streamOf(base), null);
    expect(first).toEqual({ chainId: sha256(base), diffId: sha256(base), parent: null, size: 9 + 9 + 4 + 16 });

    const second = await store.register(streamOf(gzip(top)), first.chainId);
    expect(second.diffId).toBe(sha256(top));
    expect(second.chainId).toBe(sha256(`${first.chainId} ${sha256(top)}`));
    expect(second.parent).toBe(first.chainId);

    expect(store.get(second.chainId)).toEqual(second);
    expect(store.list()).toHaveLength(2);
    const hex = (id: string) => id.slice('sha256:'.length);
    expect(store.diffDirs(second.chainId)).toEqual([
      join(root, hex(second.chainId), 'diff'),
      join(root, hex(first.chainId), 'diff'),
    ]);
    expect(await readFile(join(root, hex(first.chainId), 'diff/etc/os-release'), 'utf8')).toBe('ID=berth\n');
    const metadata = JSON.parse(await readFile(join(root, hex(second.chainId), 'metadata.json'), 'utf8'));
    expect(metadata).toMatchObject(second);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);

    const reopened = await LayerStore.open(root);
    expect(reopened.list().sort((x, y) => x.chainId.localeCompare(y.chainId))).toEqual(
      [first, second].sort((x, y) => x.chainId.localeCompare(y.chainId)),
    );
  });

  it('returns the existing layer when the chain is already registered', async () => {
    const store = await LayerStore.open(root);
    const base = await baseTar();
    const first = await store.register(streamOf(base), null);
    const again = await store.register(streamOf(gzip(base)), null);
    expect(again).toEqual(first);
    expect(store.list()).toHaveLength(1);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses an unknown parent', async () => {
    const store = await LayerStore.open(root);
    await expect(store.register(streamOf(await baseTar()), sha256('nope'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(HOSTILE_CASES)('rejects $name and registers nothing', async (testCase) => {
    const canary = makeCanary(join(work, 'canary'));
    const store = await LayerStore.open(root, { maxDecompressedBytes: testCase.maxBytes });
    const archive = await testCase.archive(canary);

    await expectRejection(store.register(streamOf(archive), null), testCase, canary);

    expectCanaryIntact(canary);
    expect(readdirSync(work).sort()).toEqual(['canary', 'layers']);
    expect(readdirSync(root).sort()).toEqual(['empty', 'l', 'quarantine', 'tmp']);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'l'))).toEqual([]);
    expect(store.list()).toEqual([]);
    expect((await LayerStore.open(root)).list()).toEqual([]);
  });

  it('cleans debris of an interrupted registration at open', async () => {
    const store = await LayerStore.open(root);
    const layer = await store.register(streamOf(await baseTar()), null);
    const hex = layer.chainId.slice('sha256:'.length);
    await writeFile(join(root, 'tmp', 'leftover'), 'x');
    rmSync(join(root, 'l'), { recursive: true });

    const reopened = await LayerStore.open(root);

    expect(reopened.list()).toEqual([layer]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    const links = readdirSync(join(root, 'l'));
    expect(links).toHaveLength(1);
    expect(await readdir(join(root, 'l', links[0]))).toEqual(await readdir(join(root, hex, 'diff')));
  });

  it('refuses a layer that would make a chain deeper than 125 layers, as moby does', async () => {
    const store = await LayerStore.open(root);
    let parent: string | null = null;
    for (let depth = 1; depth <= 125; depth++) {
      parent = (await store.register(streamOf(await buildTar([{ name: `f${depth}`, type: 'file', content: `${depth}` }])), parent)).chainId;
    }
    const deeper = store.register(streamOf(await buildTar([{ name: 'f126', type: 'file', content: '126' }])), parent);
    await expect(deeper).rejects.toThrow(new InvalidArgumentError('max depth exceeded'));
    expect(store.list()).toHaveLength(125);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });
});

describe('LayerStore.prepare and commit', () => {
  it('extracts into staging, and only the commit puts the layer in the store', async () => {
    const store = await LayerStore.open(root);
    const base = await baseTar();

    const prepared = await store.prepare(streamOf(gzip(base)));

    expect(prepared.diffId).toBe(sha256(base));
    expect(store.list()).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toHaveLength(1);
    const info = await store.commit(prepared, null);
    expect(store.list()).toEqual([info]);
    expect(info.diffId).toBe(sha256(base));
    expect(sha256(await readFile(await store.tarPath(info.chainId)))).toBe(info.diffId);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    await prepared.discard();
    expect(store.list()).toEqual([info]);
    await expect(store.commit(prepared, null)).rejects.toThrow(/committed or discarded already/);
  });

  it('discards a prepared layer without a trace, and a commit of one the store has leaves only the one', async () => {
    const store = await LayerStore.open(root);
    const base = await baseTar();
    const discarded = await store.prepare(streamOf(base));
    await discarded.discard();
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    await expect(store.commit(discarded, null)).rejects.toThrow(/committed or discarded already/);

    const first = await store.prepare(streamOf(base));
    const second = await store.prepare(streamOf(gzip(base)));
    const info = await store.commit(first, null);
    expect(await store.commit(second, null)).toEqual(info);
    expect(store.list()).toEqual([info]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses a commit on an unknown parent and removes the staging', async () => {
    const store = await LayerStore.open(root);
    const prepared = await store.prepare(streamOf(await baseTar()));
    await expect(store.commit(prepared, sha256('nope'))).rejects.toBeInstanceOf(NotFoundError);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(store.list()).toEqual([]);
  });
});

describe('LayerStore.open with damaged layer directories', () => {
  const damages: Array<{ name: string; damage: (layerDir: string) => Promise<void>; problem: string }> = [
    { name: 'corrupt JSON', damage: (dir) => writeFile(join(dir, 'metadata.json'), '{"chainId": "sha256:'), problem: 'metadata.json is not valid JSON' },
    { name: 'no metadata', damage: async (dir) => rmSync(join(dir, 'metadata.json')), problem: 'metadata.json is missing' },
    { name: 'a record that is not one', damage: (dir) => writeFile(join(dir, 'metadata.json'), '{"size": "big"}'), problem: 'metadata.json is not a layer record' },
    {
      name: "another layer's metadata",
      damage: async (dir) => {
        const record = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
        await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...record, chainId: sha256('other') }));
      },
      problem: `its metadata names layer ${sha256('other')}`,
    },
  ];

  it.each(damages)('quarantines a layer with $name instead of deleting it, and reports it', async ({ damage, problem }) => {
    const store = await LayerStore.open(root);
    const base = await store.register(streamOf(await baseTar()), null);
    const top = await store.register(streamOf(await topTar()), base.chainId);
    const hex = base.chainId.slice('sha256:'.length);
    await damage(join(root, hex));

    const notes: string[] = [];
    const reopened = await LayerStore.open(root, { log: (m) => notes.push(m) });

    const [moved] = readdirSync(join(root, 'quarantine'));
    expect(moved).toMatch(new RegExp(`^${hex}-\\d+$`));
    const quarantined = join(root, 'quarantine', moved!);
    expect(await readFile(join(quarantined, 'diff/etc/os-release'), 'utf8')).toBe('ID=berth\n');
    expect(existsSync(join(quarantined, 'layer.tar'))).toBe(true);
    expect(existsSync(join(root, hex))).toBe(false);
    expect(notes).toEqual([`quarantined layer directory ${join(root, hex)} (${problem}): moved to ${quarantined}; nothing was deleted`]);
    // The layer built on it is kept: it is intact, and only an operator can decide about the chain.
    expect(reopened.list()).toEqual([top]);
    expect(reopened.get(base.chainId)).toBeUndefined();
    expect(reopened.quarantinedAt(base.chainId)).toBe(quarantined);
    expect(readdirSync(join(root, 'l'))).toHaveLength(1);

    const again = await LayerStore.open(root, { log: (m) => notes.push(m) });
    expect(notes).toHaveLength(1);
    expect(again.quarantinedAt(base.chainId)).toBe(quarantined);
    expect(again.quarantinedAt(top.chainId)).toBeUndefined();
  });

  it('takes a layer back in when the same content is registered again', async () => {
    const store = await LayerStore.open(root);
    const base = await store.register(streamOf(await baseTar()), null);
    rmSync(join(root, base.chainId.slice('sha256:'.length), 'metadata.json'));
    const reopened = await LayerStore.open(root);
    expect(reopened.quarantinedAt(base.chainId)).toBeDefined();
    expect(await reopened.register(streamOf(await baseTar()), null)).toEqual(base);
    expect(reopened.quarantinedAt(base.chainId)).toBeUndefined();
  });
});

describe('LayerStore.remove', () => {
  it('removes a layer once nothing is built on it', async () => {
    const store = await LayerStore.open(root);
    const base = await store.register(streamOf(await baseTar()), null);
    const top = await store.register(streamOf(await topTar()), base.chainId);

    await expect(store.remove(base.chainId)).rejects.toBeInstanceOf(ConflictError);
    await store.remove(top.chainId);
    await store.remove(base.chainId);

    expect(store.list()).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['empty', 'l', 'quarantine', 'tmp']);
    expect(readdirSync(join(root, 'l'))).toEqual([]);
    await expect(store.remove(base.chainId)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('LayerStore container roots', () => {
  it('mounts the merged view of stacked layers with whiteouts and opaque dirs', async () => {
    const store = await LayerStore.open(root);
    const base = await store.register(streamOf(await baseTar()), null);
    const top = await store.register(streamOf(await topTar()), base.chainId);
    const container = join(work, 'containers', 'c1');

    const rootfs = await store.mountContainerRoot(container, top.chainId);

    expect(rootfs).toBe(join(container, 'rootfs'));
    expect(await isMountPoint(rootfs)).toBe(true);
    expect((await readdir(rootfs)).sort()).toEqual(['b', 'etc', 'keep', 'opq']);
    expect(await readdir(join(rootfs, 'opq'))).toEqual(['new']);
    expect(await readFile(join(rootfs, 'keep'), 'utf8')).toBe('kept');
    expect(await readFile(join(rootfs, 'etc/os-release'), 'utf8')).toBe('ID=berth\n');

    await writeFile(join(rootfs, 'written'), 'by the container');
    expect(await readFile(join(container, 'upper', 'written'), 'utf8')).toBe('by the container');

    await expect(store.mountContainerRoot(container, top.chainId)).resolves.toBe(rootfs);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(rootfs));
    expect(mounts).toHaveLength(1);

    await store.unmountContainerRoot(container);
    expect(await isMountPoint(rootfs)).toBe(false);
    expect(existsSync(rootfs)).toBe(false);
    expect(await readFile(join(container, 'upper', 'written'), 'utf8')).toBe('by the container');
    await store.unmountContainerRoot(container);

    const remounted = await store.mountContainerRoot(container, top.chainId);
    expect(await readFile(join(remounted, 'written'), 'utf8')).toBe('by the container');
    await store.unmountContainerRoot(container);
  });

  it('mounts a volatile root (an AutoRemove container\'s) again after its unmount, with its upper layer', async () => {
    const store = await LayerStore.open(root);
    const base = await store.register(streamOf(await baseTar()), null);
    const container = join(work, 'containers', 'volatile');

    const rootfs = await store.mountContainerRoot(container, base.chainId, undefined, { volatile: true });
    const mount = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.includes(rootfs));
    expect(mount).toMatch(/volatile/);
    // The kernel's marker, by which the unmount knows it may use umount2 on libuv's pool (no sync).
    expect(existsSync(join(container, 'work', 'work', 'incompat', 'volatile'))).toBe(true);
    await writeFile(join(rootfs, 'written'), 'kept');
    await store.unmountContainerRoot(container);

    // The kernel's marker of the first volatile mount would refuse this one if it were left in the work dir.
    const again = await store.mountContainerRoot(container, base.chainId, undefined, { volatile: true });
    expect(await readFile(join(again, 'written'), 'utf8')).toBe('kept');
    await store.unmountContainerRoot(container);
    expect(existsSync(rootfs)).toBe(false);
  });

  it('mounts an empty root without a parent', async () => {
    const store = await LayerStore.open(root);
    const container = join(work, 'containers', 'scratch');
    const rootfs = await store.mountContainerRoot(container, null);
    expect(await readdir(rootfs)).toEqual([]);
    expect((await lstat(rootfs)).isDirectory()).toBe(true);
    await store.unmountContainerRoot(container);
    expect(await isMountPoint(rootfs)).toBe(false);
  });

  it('detaches a busy mount lazily', async () => {
    const store = await LayerStore.open(root);
    const base = await store.register(streamOf(await baseTar()), null);
    const container = join(work, 'containers', 'busy');
    const rootfs = await store.mountContainerRoot(container, base.chainId);
    const held = await open(join(rootfs, 'keep'), 'r');
    try {
      await store.unmountContainerRoot(container);
      expect(await isMountPoint(rootfs)).toBe(false);
    } finally {
      await held.close();
    }
  });

  it('mounts a chain whose full diff paths would not fit in a page of mount options', async () => {
    const store = await LayerStore.open(root);
    let parent: string | null = null;
    for (let i = 0; i < 60; i += 1) {
      const layer = await store.register(streamOf(await buildTar([{ name: `f${i}`, type: 'file', content: `${i}` }])), parent);
      parent = layer.chainId;
    }
    const container = join(work, 'containers', 'deep');
    expect(store.diffDirs(parent as string).join(':').length).toBeGreaterThan(4096);
    const rootfs = await store.mountContainerRoot(container, parent);
    expect(await readdir(rootfs)).toHaveLength(60);
    await store.unmountContainerRoot(container);
  });
});
