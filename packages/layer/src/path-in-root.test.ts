import { constants, openSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeFd, openInRoot, readFileInRoot, type SubMount } from './path-in-root.js';
import { O_PATH } from './syscalls.js';

/** Where a resolved descriptor points on the host, plus its path inside the root; closes it. */
function where(root: number, path: string, options: Parameters<typeof openInRoot>[2] = {}): { host: string; path: string; readOnly?: boolean } {
  const found = openInRoot(root, path, options);
  try {
    return { host: readlinkSync(`/proc/self/fd/${found.fd}`), path: found.path, ...(found.mount ? { readOnly: found.mount.readOnly } : {}) };
  } finally {
    closeFd(found.fd);
  }
}

describe('openInRoot', () => {
  let base: string;
  let root: string;
  let rootFd: number;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'berth-in-root-'));
    root = join(base, 'root');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    await writeFile(join(root, 'etc/hostname'), 'inside\n');
    await writeFile(join(root, 'etc/shadow'), '');
    rootFd = openSync(root, O_PATH | constants.O_DIRECTORY);
  });
  afterEach(async () => {
    closeFd(rootFd);
    await rm(base, { recursive: true, force: true });
  });

  it('keeps plain paths under the root', () => {
    expect(where(rootFd, '/etc/passwd')).toEqual({ host: join(root, 'etc/passwd'), path: '/etc/passwd' });
  });

  it('confines absolute symlinks, climbing relative symlinks and ".." to the root', async () => {
    await symlink('/etc/shadow', join(root, 'etc/group'));
    await symlink('../../../../../../etc', join(root, 'up'));
    expect(where(rootFd, '/etc/group')).toEqual({ host: join(root, 'etc/shadow'), path: '/etc/shadow' });
    expect(where(rootFd, '/up/hostname').host).toBe(join(root, 'etc/hostname'));
    expect(where(rootFd, '../../etc/passwd').host).toBe(join(root, 'etc/passwd'));
    expect(where(rootFd, '/').host).toBe(root);
  });

  it('stops symlink loops', async () => {
    await symlink('/b', join(root, 'a'));
    await symlink('/a', join(root, 'b'));
    expect(() => openInRoot(rootFd, '/a')).toThrow(/too many levels/);
  });

  it('keeps a last symlink when asked, and refuses every symlink with noSymlinks', async () => {
    await symlink('/etc', join(root, 'link'));
    expect(where(rootFd, '/link', { followLast: false })).toEqual({ host: join(root, 'link'), path: '/link' });
    expect(where(rootFd, '/link/.', { followLast: false }).host).toBe(join(root, 'etc'));
    expect(() => openInRoot(rootFd, '/link/passwd', { noSymlinks: true })).toThrow(/ELOOP/);
  });

  it('fails on a missing component or a file used as a directory, saying where in the root', async () => {
    await symlink('/etc/passwd', join(root, 'pw'));
    expect(() => openInRoot(rootFd, '/nope/x')).toThrow(expect.objectContaining({ code: 'ENOENT', path: '/nope' }));
    expect(() => openInRoot(rootFd, '/pw/x')).toThrow(expect.objectContaining({ code: 'ENOTDIR', path: '/etc/passwd/x' }));
  });

  it('asks for a directory after a trailing "/" or "/." and before a ".."', async () => {
    await symlink('/etc/passwd', join(root, 'pw'));
    await symlink('/etc', join(root, 'dir'));
    expect(() => openInRoot(rootFd, '/etc/passwd/')).toThrow(expect.objectContaining({ code: 'ENOTDIR', path: '/etc/passwd/' }));
    expect(() => openInRoot(rootFd, '/etc/passwd/.')).toThrow(expect.objectContaining({ code: 'ENOTDIR', path: '/etc/passwd/.' }));
    expect(() => openInRoot(rootFd, '/pw/', { followLast: false })).toThrow(expect.objectContaining({ code: 'ENOTDIR', path: '/etc/passwd/' }));
    expect(() => openInRoot(rootFd, '/etc/passwd/..')).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(where(rootFd, '/dir/', { followLast: false }).path).toBe('/etc');
    expect(where(rootFd, '/etc/./').path).toBe('/etc');
  });

  describe('with mounts', () => {
    let volume: string;
    let bind: string;
    let mounts: SubMount[];

    beforeEach(async () => {
      volume = join(base, 'volume');
      bind = join(base, 'bind');
      for (const dir of [join(root, 'data'), join(root, 'srv/ro'), join(volume, 'sub/inner'), bind]) await mkdir(dir, { recursive: true });
      await writeFile(join(volume, 'sub/file'), 'in the volume');
      await writeFile(join(bind, 'x'), 'bound');
      const mount = (destination: string, source: string, readOnly = false): SubMount => ({
        destination,
        readOnly,
        open: () => openSync(source, O_PATH),
      });
      mounts = [mount('/data', volume), mount('/data/sub/inner/', bind), mount('/srv/ro', bind, true)];
    });

    it('maps a mount point and paths below it into the mount source', () => {
      expect(where(rootFd, '/data', { mounts })).toEqual({ host: volume, path: '/data', readOnly: false });
      expect(where(rootFd, '/data/sub/file', { mounts }).host).toBe(join(volume, 'sub/file'));
      expect(where(rootFd, '/etc/passwd', { mounts })).toEqual({ host: join(root, 'etc/passwd'), path: '/etc/passwd' });
    });

    it('picks the innermost mount, not a sibling with a common prefix', async () => {
      await mkdir(join(root, 'database'));
      expect(where(rootFd, '/data/sub/inner/x', { mounts }).host).toBe(join(bind, 'x'));
      expect(where(rootFd, '/database', { mounts }).host).toBe(join(root, 'database'));
      expect(where(rootFd, '/srv/ro/x', { mounts }).readOnly).toBe(true);
    });

    it('reads symlinks inside a mount as the container would', async () => {
      await symlink('/etc', join(volume, 'evil'));
      await symlink('../../../../../../etc', join(volume, 'up'));
      await symlink('../srv/ro', join(volume, 'side'));
      await symlink('data/sub', join(root, 'shortcut'));
      expect(where(rootFd, '/data/evil/passwd', { mounts })).toEqual({ host: join(root, 'etc/passwd'), path: '/etc/passwd' });
      expect(where(rootFd, '/data/up/hostname', { mounts }).host).toBe(join(root, 'etc/hostname'));
      expect(where(rootFd, '/data/side/x', { mounts })).toEqual({ host: join(bind, 'x'), path: '/srv/ro/x', readOnly: true });
      expect(where(rootFd, '/shortcut/file', { mounts }).host).toBe(join(volume, 'sub/file'));
    });

    it('uses the mount even when the root has nothing at its destination', async () => {
      await rm(join(root, 'data'), { recursive: true });
      expect(where(rootFd, '/data/sub/file', { mounts }).host).toBe(join(volume, 'sub/file'));
    });
  });
});

describe('readFileInRoot', () => {
  it('reads through symlinks confined to the root, and only regular files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-read-in-root-'));
    try {
      await mkdir(join(root, 'etc'));
      await writeFile(join(root, 'etc/real'), 'inside\n');
      await symlink('/etc/real', join(root, 'etc/passwd'));
      await symlink('/etc', join(root, 'etc/dir'));
      expect(await readFileInRoot(root, '/etc/passwd')).toBe('inside\n');
      expect(await readFileInRoot(root, '/etc/dir')).toBeUndefined();
      expect(await readFileInRoot(root, '/etc/missing')).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
