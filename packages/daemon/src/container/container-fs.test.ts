import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerFs } from './container-fs.js';

describe('ContainerFs with mounts', () => {
  let base: string;
  let root: string;
  let volume: string;
  let bind: string;
  let fs: ContainerFs;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'berth-container-fs-'));
    [root, volume, bind] = [join(base, 'root'), join(base, 'volume'), join(base, 'bind')];
    for (const dir of [join(root, 'etc'), join(root, 'data'), join(root, 'srv/ro'), join(volume, 'sub'), bind]) await mkdir(dir, { recursive: true });
    await writeFile(join(volume, 'sub/file'), 'in the volume');
    fs = new ContainerFs(root, [
      { destination: '/data', source: volume, readOnly: false },
      { destination: '/data/sub/inner/', source: bind, readOnly: false },
      { destination: '/srv/ro', source: bind, readOnly: true },
    ]);
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('maps paths outside every mount into the root', async () => {
    const resolved = await fs.resolve('/etc/passwd');
    expect(resolved).toEqual({ container: '/etc/passwd', host: join(root, 'etc/passwd'), base: root, relative: 'etc/passwd' });
  });

  it('maps a mount point and paths below it into the mount source', async () => {
    expect(await fs.resolve('/data')).toMatchObject({ container: '/data', host: volume, mount: { destination: '/data' } });
    expect(await fs.resolve('/data/sub/file')).toMatchObject({ host: join(volume, 'sub/file'), base: volume, relative: 'sub/file' });
  });

  it('picks the innermost mount, not a sibling with a common prefix', async () => {
    expect((await fs.resolve('/data/sub/inner/x')).host).toBe(join(bind, 'x'));
    expect((await fs.resolve('/database')).host).toBe(join(root, 'database'));
    expect((await fs.resolve('/srv/ro/x')).mount?.readOnly).toBe(true);
  });

  it('reads a symlink to / inside a volume as the container root', async () => {
    await symlink('/etc', join(volume, 'evil'));
    expect(await fs.resolve('/data/evil/passwd')).toMatchObject({ container: '/etc/passwd', host: join(root, 'etc/passwd') });
  });

  it('climbs out of a mount with relative symlinks the way the container would', async () => {
    await symlink('../../../../../../etc', join(volume, 'up'));
    expect((await fs.resolve('/data/up/hostname')).host).toBe(join(root, 'etc/hostname'));
    await symlink('../srv/ro', join(volume, 'side'));
    expect(await fs.resolve('/data/side/f')).toMatchObject({ container: '/srv/ro/f', host: join(bind, 'f'), mount: { readOnly: true } });
  });

  it('follows a rootfs symlink into a mount', async () => {
    await symlink('data/sub', join(root, 'shortcut'));
    expect((await fs.resolve('/shortcut/file')).host).toBe(join(volume, 'sub/file'));
  });

  it('treats a mount point as the mounted directory even when its host source is a symlink', async () => {
    await symlink(volume, join(base, 'volume-link'));
    const linked = new ContainerFs(root, [{ destination: '/data', source: join(base, 'volume-link'), readOnly: false }]);
    expect((await linked.resolve('/data/sub/file')).host).toBe(join(base, 'volume-link/sub/file'));
  });

  it('keeps a symlink named last and resolves only its parent', async () => {
    await symlink('/etc', join(volume, 'evil'));
    expect(await fs.resolveKeepingLast('/data/evil')).toMatchObject({ container: '/data/evil', host: join(volume, 'evil') });
    expect((await fs.resolveKeepingLast('/data/evil/')).host).toBe(join(root, 'etc'));
  });

  it('lists the mounts below a directory relative to it', () => {
    expect(fs.mountsBelow('/')).toEqual(
      new Map([
        ['data/sub/inner', bind],
        ['srv/ro', bind],
        ['data', volume],
      ]),
    );
    expect(fs.mountsBelow('/data')).toEqual(new Map([['sub/inner', bind]]));
  });
});
