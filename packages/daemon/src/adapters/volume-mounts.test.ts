import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import { VolumeStore } from '@berth/volume';
import type { ContainerRecord } from '../container/record.js';
import { VolumeMounts } from './volume-mounts.js';
import { engineEvents } from '../events/engine-events.js';

describe('VolumeMounts.plan', () => {
  let root: string;
  let volumes: VolumeStore;
  let mounts: VolumeMounts;
  const others = new Map<string, ContainerRecord>();
  const lookup = (ref: string): ContainerRecord => {
    const c = others.get(ref);
    if (!c) throw new NotFoundError(`No such container: ${ref}`);
    return c;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-mounts-'));
    volumes = await VolumeStore.open(join(root, 'volumes'));
    mounts = new VolumeMounts(volumes, engineEvents({ publish: () => undefined }, { imageLabels: () => undefined }));
  });
  afterEach(async () => {
    others.clear();
    await rm(root, { recursive: true, force: true });
  });

  it('creates named and anonymous volumes, skipping image volumes that are already mounted', async () => {
    const planned = await mounts.plan({
      containerId: 'c1',
      hostConfig: { Binds: ['data:/data:ro'], Tmpfs: { '/run': '' } },
      volumes: { '/data': {}, '/cache/': {}, '/run': {} },
      lookup,
    });
    expect(planned).toEqual([
      expect.objectContaining({ type: 'volume', name: 'data', destination: '/data', readOnly: true, anonymous: false }),
      expect.objectContaining({ type: 'volume', destination: '/cache', anonymous: true }),
    ]);
    expect(volumes.users('data')).toEqual(['c1']);
    expect(volumes.list().map((v) => v.Name)).toHaveLength(2);
  });

  it('tells the name of each anonymous volume before making it, and labels it anonymous', async () => {
    const told: { name: string; existed: boolean }[] = [];
    const planned = await mounts.plan({
      containerId: 'c1',
      hostConfig: { Binds: ['named:/n'] },
      volumes: { '/a': {}, '/b': {} },
      lookup,
      beforeAnonymous: async (name) => {
        told.push({ name, existed: volumes.has(name) });
      },
    });
    const anonymous = planned.filter((m) => m.anonymous).map((m) => m.name);
    expect(told).toEqual(anonymous.map((name) => ({ name, existed: false })));
    expect(anonymous.map((name) => volumes.isAnonymous(name!))).toEqual([true, true]);
    expect(volumes.isAnonymous('named')).toBe(false);
  });

  it('creates a missing -v bind source, binds an existing file as it is, but refuses a missing --mount one', async () => {
    const source = join(root, 'made');
    await mounts.plan({ containerId: 'c1', hostConfig: { Binds: [`${source}:/x`] }, volumes: {}, lookup });
    expect((await stat(source)).isDirectory()).toBe(true);
    const file = join(root, 'file');
    await writeFile(file, 'kept');
    const [bound] = await mounts.plan({ containerId: 'c3', hostConfig: { Binds: [`${file}:/f:ro`] }, volumes: {}, lookup });
    expect(bound).toMatchObject({ type: 'bind', source: file, destination: '/f', readOnly: true });
    // A dangling symlink, or a path under a file, cannot be made: a 400 in moby's words, not a raw fs error.
    await symlink(join(root, 'nowhere', 'deeper'), join(root, 'dangling'));
    for (const bad of [join(root, 'dangling'), join(file, 'under')]) {
      const refused = mounts.plan({ containerId: 'c4', hostConfig: { Binds: [`${bad}:/x`] }, volumes: {}, lookup });
      await expect(refused).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(refused).rejects.toThrow(`error while creating mount source path '${bad}'`);
    }
    await expect(
      mounts.plan({ containerId: 'c2', hostConfig: { Mounts: [{ Type: 'bind', Source: join(root, 'absent'), Target: '/x' }] }, volumes: {}, lookup }),
    ).rejects.toThrow(`invalid mount config for type "bind": bind source path does not exist: ${join(root, 'absent')}`);
  });

  it('rejects duplicate destinations before creating anything', async () => {
    await expect(
      mounts.plan({ containerId: 'c1', hostConfig: { Binds: ['one:/x'], Mounts: [{ Type: 'volume', Source: 'two', Target: '/x/' }] }, volumes: {}, lookup }),
    ).rejects.toThrow('Duplicate mount point: /x');
    expect(volumes.list()).toEqual([]);
  });

  it('inherits --volumes-from mounts with an access mode, letting explicit mounts win', async () => {
    const source = { id: 'src', mounts: await mounts.plan({ containerId: 'src', hostConfig: { Binds: ['a1:/a', 'b1:/b'] }, volumes: {}, lookup }) };
    others.set('src', source as ContainerRecord);
    const planned = await mounts.plan({ containerId: 'c1', hostConfig: { VolumesFrom: ['src:ro'], Binds: ['b2:/b'] }, volumes: {}, lookup });
    expect(planned.map((m) => [m.name, m.destination, m.readOnly])).toEqual([
      ['a1', '/a', true],
      ['b2', '/b', false],
    ]);
    await expect(mounts.plan({ containerId: 'c2', hostConfig: { VolumesFrom: ['src:rx'] }, volumes: {}, lookup })).rejects.toThrow(
      'invalid mode for volumes-from: src:rx',
    );
  });

  it('releases references and removes only anonymous volumes on removal', async () => {
    const planned = await mounts.plan({ containerId: 'c1', hostConfig: { Binds: ['kept:/k'] }, volumes: { '/anon': {} }, lookup });
    const anon = planned.find((m) => m.anonymous)!.name!;
    await mounts.release({ id: 'c1', mounts: planned } as ContainerRecord, true);
    expect(volumes.has('kept')).toBe(true);
    expect(volumes.users('kept')).toEqual([]);
    expect(volumes.has(anon)).toBe(false);
  });
});
