import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IdMappings } from './id-mapping.js';
import { IdmappedLayers } from './idmapped-layers.js';
import { LayerStore } from './layer-store.js';
import { isMountPoint, mountPoints } from './mountinfo.js';
import { ShiftedLayers } from './shifted-layers.js';
import { unmountAllUnder } from './test-support/mounts.js';
import { buildTar, streamOf } from './test-support/tar-builder.js';

// Real overlay mounts, idmapped mounts and chowns: as the other container-root tests, these need root.
const MAPPINGS: IdMappings = { uids: [{ containerID: 0, hostID: 100000, size: 65536 }], gids: [{ containerID: 0, hostID: 200000, size: 65536 }] };

let work: string;
let root: string;
let idmapped: IdmappedLayers;

beforeAll(async () => {
  idmapped = await IdmappedLayers.open(MAPPINGS, 'remapped-roots.test');
});

afterAll(() => idmapped.close());

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-remapped-'));
  root = join(work, 'layers');
});

afterEach(() => {
  unmountAllUnder(work);
  rmSync(work, { recursive: true, force: true });
});

async function imageLayers(store: LayerStore): Promise<string> {
  const base = await store.register(
    streamOf(
      await buildTar([
        { name: 'bin/', type: 'directory' },
        { name: 'bin/su', type: 'file', content: 'setuid', mode: 0o4755 },
        { name: 'home/', type: 'directory' },
        { name: 'home/user', type: 'file', content: 'mine', uid: 1000, gid: 1001 },
        { name: 'gone', type: 'file', content: 'whited out above' },
      ]),
    ),
    null,
  );
  const top = await store.register(streamOf(await buildTar([{ name: '.wh.gone', type: 'file', content: '' }, { name: 'top', type: 'file', content: 'top' }])), base.chainId);
  return top.chainId;
}

async function owner(path: string): Promise<string> {
  const s = await lstat(path);
  return `${s.uid}:${s.gid}`;
}

describe.each([
  ['idmapped mounts', () => idmapped],
  ['shifted copies', () => new ShiftedLayers(MAPPINGS)],
])('a remapped container root through %s', (_name, remapped) => {
  it("shows the image's files owned by the mapped ids, and the root directory as the container root's", async () => {
    const store = await LayerStore.open(root);
    const chainId = await imageLayers(store);
    const container = join(work, 'c1');
    const rootfs = await store.mountContainerRoot(container, chainId, remapped());

    expect((await readdir(rootfs)).sort()).toEqual(['bin', 'home', 'top']);
    expect(await owner(rootfs)).toBe('100000:200000');
    expect(await owner(join(rootfs, 'bin/su'))).toBe('100000:200000');
    expect((await stat(join(rootfs, 'bin/su'))).mode & 0o7777).toBe(0o4755);
    expect(await owner(join(rootfs, 'home/user'))).toBe('101000:201001');
    expect(await readFile(join(rootfs, 'home/user'), 'utf8')).toBe('mine');

    await store.unmountContainerRoot(container);
    expect(await isMountPoint(rootfs)).toBe(false);
    // Nothing of the remapping stays mounted, and the layers themselves are untouched.
    expect((await mountPoints()).filter((m) => m.startsWith(work))).toEqual([]);
    expect(await readdir(container)).not.toContain('idmapped');
    const [topDiff, baseDiff] = store.diffDirs(chainId);
    expect(await owner(join(topDiff!, 'top'))).toBe('0:0');
    expect(await owner(join(baseDiff!, 'home/user'))).toBe('1000:1001');
  });
});

describe('shifted copies', () => {
  it('are made once per layer and mapping, reused, and removed with their layer or when orphaned', async () => {
    const store = await LayerStore.open(root);
    const chainId = await imageLayers(store);
    const shifted = new ShiftedLayers(MAPPINGS);
    const copies = join(root, 'shifted', '100000.200000');
    await store.mountContainerRoot(join(work, 'c1'), chainId, shifted);
    const made = await readdir(copies);
    expect(made).toHaveLength(2);
    const inode = (await stat(join(copies, made[0]!))).ino;
    await store.mountContainerRoot(join(work, 'c2'), chainId, shifted);
    expect((await stat(join(copies, made[0]!))).ino).toBe(inode);
    await store.unmountContainerRoot(join(work, 'c1'));
    await store.unmountContainerRoot(join(work, 'c2'));

    await store.remove(chainId);
    const kept = await readdir(copies);
    expect(kept).toHaveLength(1);
    // A copy whose layer is gone by the next open (a crash in between) is removed then.
    await mkdir(join(copies, 'orphaned0000000000000'));
    await LayerStore.open(root);
    expect(await readdir(copies)).toEqual(kept);
  });
});

describe('a crash between attaching an idmapped layer and detaching it', () => {
  it('leaves a bind that unmounting the root detaches, so removing the container dir cannot reach the layer', async () => {
    const store = await LayerStore.open(root);
    const chainId = await imageLayers(store);
    const container = join(work, 'c1');
    const [topDiff] = store.diffDirs(chainId);
    const stale = join(container, 'idmapped', '0');
    await mkdir(stale, { recursive: true });
    idmapped.bind(topDiff!, stale);
    expect(await isMountPoint(stale)).toBe(true);

    await store.unmountContainerRoot(container);

    expect((await mountPoints()).filter((m) => m.startsWith(work))).toEqual([]);
    expect(await readdir(container)).toEqual([]);
    expect(await readFile(join(topDiff!, 'top'), 'utf8')).toBe('top');
  });
});

describe('IdmappedLayers.supportedUnder', () => {
  it('finds idmapped mounts on this kernel and filesystem, and leaves no probe behind, even after a crashed one', async () => {
    const stale = join(work, 'idmap-probe');
    await mkdir(join(stale, 'source'), { recursive: true });
    await mkdir(join(stale, 'target'));
    idmapped.bind(join(stale, 'source'), join(stale, 'target'));

    expect(await idmapped.supportedUnder(work)).toBe(true);

    expect(await readdir(work)).toEqual([]);
    expect((await mountPoints()).filter((m) => m.startsWith(work))).toEqual([]);
  });
});
