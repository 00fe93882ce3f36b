import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANONYMOUS_LABEL } from './names.js';
import { VolumeStore } from './volume-store.js';

describe('VolumeStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-volumes-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a named volume with metadata that survives reopening', async () => {
    const store = await VolumeStore.open(root);
    const v = await store.create({ name: 'data', labels: { team: 'a' } });
    expect(v).toMatchObject({ Name: 'data', Driver: 'local', Scope: 'local', Mountpoint: join(root, 'data', '_data'), Labels: { team: 'a' }, Options: null });
    expect(v.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await writeFile(join(v.Mountpoint, 'f'), 'x');
    const again = await store.create({ name: 'data' });
    expect(again.CreatedAt).toBe(v.CreatedAt);
    const reopened = await VolumeStore.open(root);
    expect(reopened.get('data')).toEqual(v);
    expect(await readFile(join(reopened.dataPath('data'), 'f'), 'utf8')).toBe('x');
  });

  it('adopts a volume directory that has no metadata and ignores other entries', async () => {
    await mkdir(join(root, 'by-hand', '_data'), { recursive: true });
    await mkdir(join(root, 'not-a-volume'));
    await writeFile(join(root, 'stray-file'), '');
    const store = await VolumeStore.open(root);
    expect(store.list().map((v) => v.Name)).toEqual(['by-hand']);
    expect(store.get('by-hand')).toMatchObject({ Labels: {}, Options: null, Mountpoint: join(root, 'by-hand', '_data') });
  });

  it('reports create (only when it made the volume) and destroy', async () => {
    const seen: unknown[] = [];
    const store = await VolumeStore.open(root, { onEvent: (e) => seen.push(e) });
    await store.create({ name: 'ev' });
    await store.create({ name: 'ev' });
    await store.remove('ev');
    expect(seen).toEqual([
      { action: 'create', name: 'ev', driver: 'local' },
      { action: 'destroy', name: 'ev', driver: 'local' },
    ]);
  });

  it('names anonymous volumes with 64 hex digits and labels them', async () => {
    const store = await VolumeStore.open(root);
    const v = await store.create();
    expect(v.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(v.Labels).toEqual({ [ANONYMOUS_LABEL]: '' });
    expect(store.isAnonymous(v.Name)).toBe(true);
  });

  it('rejects bad names, unknown drivers and options', async () => {
    const store = await VolumeStore.open(root);
    await expect(store.create({ name: '../x' })).rejects.toThrow(/invalid characters/);
    await expect(store.create({ name: 'xx', driver: 'nfs' })).rejects.toThrow(/plugin "nfs" not found/);
    await expect(store.create({ name: 'xx', driverOpts: { foo: '1' } })).rejects.toThrow('invalid option: "foo"');
    await expect(store.create({ name: 'xx', driverOpts: { type: 'tmpfs' } })).rejects.toThrow(/missing required option/);
  });

  it('refuses to remove a volume in use and says by whom', async () => {
    const store = await VolumeStore.open(root);
    await store.create({ name: 'busy' });
    store.ref('busy', 'c1');
    await expect(store.remove('busy')).rejects.toThrow('remove busy: volume is in use - [c1]');
    await expect(store.remove('busy', { force: true })).rejects.toThrow(/in use/);
    store.release('busy', 'c1');
    await store.remove('busy');
    expect(store.has('busy')).toBe(false);
    await expect(store.remove('busy')).rejects.toThrow('get busy: no such volume');
    await store.remove('busy', { force: true });
  });

  it('lists with filters', async () => {
    const store = await VolumeStore.open(root);
    await store.create({ name: 'alpha', labels: { env: 'prod' } });
    await store.create({ name: 'beta', labels: { env: 'dev' } });
    store.ref('beta', 'c1');
    const names = (f: Record<string, string[]>) => store.list(f).map((v) => v.Name).sort();
    expect(names({})).toEqual(['alpha', 'beta']);
    expect(names({ dangling: ['true'] })).toEqual(['alpha']);
    expect(names({ dangling: ['false'] })).toEqual(['beta']);
    expect(names({ name: ['lph'] })).toEqual(['alpha']);
    expect(names({ label: ['env=dev'] })).toEqual(['beta']);
    expect(names({ label: ['env'] })).toEqual(['alpha', 'beta']);
    expect(names({ driver: ['local'] })).toEqual(['alpha', 'beta']);
    expect(() => store.list({ bogus: ['x'] })).toThrow("invalid filter 'bogus'");
  });

  it('prunes only unused anonymous volumes unless all=true', async () => {
    const store = await VolumeStore.open(root);
    await store.create({ name: 'named' });
    const anon = await store.create();
    const used = await store.create();
    store.ref(used.Name, 'c1');
    await writeFile(join(anon.Mountpoint, 'f'), '12345');
    expect(await store.prune()).toEqual({ VolumesDeleted: [anon.Name], SpaceReclaimed: 5 });
    expect((await store.prune({ all: ['true'], label: ['nope'] })).VolumesDeleted).toEqual([]);
    expect((await store.prune({ all: ['true'] })).VolumesDeleted).toEqual(['named']);
    expect(store.has(used.Name)).toBe(true);
  });

  it('reports sizes and reference counts', async () => {
    const store = await VolumeStore.open(root);
    const v = await store.create({ name: 'sized' });
    await writeFile(join(v.Mountpoint, 'f'), 'abc');
    store.ref('sized', 'c1');
    expect(await store.usage()).toEqual([{ ...v, UsageData: { Size: 3, RefCount: 1 } }]);
  });

  it('mounts a tmpfs volume for its first user and unmounts after the last', async () => {
    const store = await VolumeStore.open(root);
    await store.create({ name: 'ram', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    try {
      const path = await store.mount('ram', 'c1');
      await store.mount('ram', 'c2');
      const mounts = () => readFile('/proc/self/mountinfo', 'utf8');
      expect(await mounts()).toContain(` ${path} `);
      await store.unmount('ram', 'c1');
      expect(await mounts()).toContain(` ${path} `);
      await store.unmount('ram', 'c2');
      expect(await mounts()).not.toContain(` ${path} `);
    } finally {
      await store.remove('ram');
    }
  });
});
