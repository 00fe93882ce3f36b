import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveInRoot } from './container-fs.js';

describe('resolveInRoot', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-secure-path-'));
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('keeps plain paths under the root', async () => {
    expect(await resolveInRoot(root, '/etc/passwd')).toBe(join(root, 'etc/passwd'));
  });

  it('confines absolute symlinks to the root', async () => {
    await symlink('/etc/shadow', join(root, 'etc/group'));
    expect(await resolveInRoot(root, '/etc/group')).toBe(join(root, 'etc/shadow'));
  });

  it('confines relative symlinks that climb above the root', async () => {
    await symlink('../../../../../../etc', join(root, 'up'));
    expect(await resolveInRoot(root, '/up/hostname')).toBe(join(root, 'etc/hostname'));
  });

  it('confines ".." in the requested path', async () => {
    expect(await resolveInRoot(root, '../../etc/passwd')).toBe(join(root, 'etc/passwd'));
  });

  it('stops symlink loops', async () => {
    await symlink('/b', join(root, 'a'));
    await symlink('/a', join(root, 'b'));
    await expect(resolveInRoot(root, '/a')).rejects.toThrow(/too many levels/);
  });
});
