import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pinDirectory } from './pinned-dir.js';

describe('pinDirectory', () => {
  let base: string;
  let outside: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'berth-pinned-'));
    outside = await mkdtemp(join(tmpdir(), 'berth-pinned-outside-'));
    await mkdir(join(base, 'a/b'), { recursive: true });
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('names the directory below the base through its descriptor', async () => {
    const pinned = await pinDirectory(base, 'a/b');
    try {
      await writeFile(join(pinned.path, 'x'), 'here');
    } finally {
      await pinned.close();
    }
    expect(await readFile(join(base, 'a/b/x'), 'utf8')).toBe('here');
  });

  // Linux reports a symlink opened with O_DIRECTORY|O_NOFOLLOW as ENOTDIR, elsewhere as ELOOP.
  it('refuses a symlink anywhere on the way', async () => {
    await symlink(outside, join(base, 'link'));
    await expect(pinDirectory(base, 'link')).rejects.toThrow(/ENOTDIR|ELOOP/);
    await symlink(outside, join(base, 'a/b/last'));
    await expect(pinDirectory(base, 'a/b/last')).rejects.toThrow(/ENOTDIR|ELOOP/);
    await writeFile(join(base, 'file'), '');
    await expect(pinDirectory(base, 'file/c')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('keeps writing into the opened directory after it is swapped for a symlink', async () => {
    const pinned = await pinDirectory(base, 'a');
    try {
      await rename(join(base, 'a'), join(base, 'moved'));
      await symlink(outside, join(base, 'a'));
      await writeFile(join(pinned.path, 'b/x'), 'pinned');
    } finally {
      await pinned.close();
    }
    expect(await readFile(join(base, 'moved/b/x'), 'utf8')).toBe('pinned');
    expect(existsSync(join(outside, 'b'))).toBe(false);
  });
});
