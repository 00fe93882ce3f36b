import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OverwriteConflictError } from './errors.js';
import { MAX_HELD_DIRECTORIES, PinnedTree } from './pinned-tree.js';

let work: string;
let root: string;
let canary: string;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-pinned-tree-'));
  root = join(work, 'root');
  canary = join(work, 'canary');
  await mkdir(root);
  await mkdir(canary);
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/** What a process sharing the tree does between two entries: moves a directory away and puts a symlink to the host in its place. */
async function swapForSymlink(path: string): Promise<void> {
  await rename(join(root, path), join(root, `${path}.moved`));
  await symlink(canary, join(root, path));
}

describe('PinnedTree', () => {
  it('keeps writing into a directory it opened after the directory was swapped for a symlink', async () => {
    const tree = await PinnedTree.open(root);
    try {
      await tree.prepareDirectory('sub/', 'sub');
      await swapForSymlink('sub');
      await writeFile(await tree.prepareSlot('sub/file', 'sub/file'), 'inside', { flag: 'wx' });
      await mkdir(join(await tree.prepareDirectory('sub/deeper/', 'sub/deeper'), 'made-through-fd'));
      await symlink('/etc', await tree.prepareSlot('sub/link', 'sub/link'));
    } finally {
      await tree.close();
    }
    expect(readdirSync(canary)).toEqual([]);
    expect(await readFile(join(root, 'sub.moved/file'), 'utf8')).toBe('inside');
    expect(readdirSync(join(root, 'sub.moved')).sort()).toEqual(['deeper', 'file', 'link']);
    expect(readdirSync(join(root, 'sub.moved/deeper'))).toEqual(['made-through-fd']);
  });

  it('refuses a parent that is already a symlink instead of following it', async () => {
    await symlink(canary, join(root, 'sub'));
    const tree = await PinnedTree.open(root);
    try {
      await expect(tree.prepareSlot('sub/file', 'sub/file')).rejects.toThrow(/symlink or not a directory/);
    } finally {
      await tree.close();
    }
    expect(readdirSync(canary)).toEqual([]);
  });

  it('replaces a symlink where a directory entry goes with a real directory', async () => {
    await symlink(canary, join(root, 'sub'));
    const tree = await PinnedTree.open(root);
    try {
      await writeFile(join(await tree.prepareDirectory('sub/', 'sub'), 'f'), 'x');
    } finally {
      await tree.close();
    }
    expect(readdirSync(canary)).toEqual([]);
    expect(readdirSync(join(root, 'sub'))).toEqual(['f']);
  });
});

describe('PinnedTree making parent directories', () => {
  it('gives the directories it implies the parent owner, and leaves existing and explicit ones alone', async () => {
    await mkdir(join(root, 'existing'));
    const tree = await PinnedTree.open(root, { parentOwner: { uid: 100000, gid: 100001 } });
    try {
      await writeFile(await tree.prepareSlot('existing/new/dir/f', 'existing/new/dir/f'), 'x');
      await tree.prepareDirectory('explicit/', 'explicit');
    } finally {
      await tree.close();
    }
    const owner = async (path: string): Promise<string> => {
      const s = await lstat(join(root, path));
      return `${s.uid}:${s.gid}:${(s.mode & 0o7777).toString(8)}`;
    };
    expect(await owner('existing')).toBe('0:0:755');
    expect(await owner('existing/new')).toBe('100000:100001:755');
    expect(await owner('existing/new/dir')).toBe('100000:100001:755');
    expect(await owner('explicit')).toBe('0:0:755');
  });
});

describe('PinnedTree with a directory and a non-directory at one path', () => {
  beforeEach(async () => {
    await mkdir(join(root, 'dir/deep'), { recursive: true });
    await writeFile(join(root, 'dir/deep/f'), 'old');
    await symlink(canary, join(root, 'dir/to-host'));
    await writeFile(join(canary, 'keep'), 'host');
    await writeFile(join(root, 'file'), 'old');
  });

  it('refuses both ways with "refuse", changing nothing', async () => {
    const tree = await PinnedTree.open(root, { dirNonDir: 'refuse' });
    try {
      await expect(tree.prepareSlot('dir', 'dir')).rejects.toMatchObject({ path: 'dir', existingIsDirectory: true });
      await expect(tree.prepareDirectory('file/', 'file')).rejects.toBeInstanceOf(OverwriteConflictError);
    } finally {
      await tree.close();
    }
    expect(await readFile(join(root, 'dir/deep/f'), 'utf8')).toBe('old');
    expect(await readFile(join(root, 'file'), 'utf8')).toBe('old');
  });

  it('replaces both ways with "replace", removing a directory with all in it but nothing a symlink in it leads to', async () => {
    const tree = await PinnedTree.open(root, { dirNonDir: 'replace' });
    try {
      // Held open by the tree before it goes.
      await tree.prepareDirectory('dir/deep/', 'dir/deep');
      await writeFile(await tree.prepareSlot('dir', 'dir'), 'now a file', { flag: 'wx' });
      await writeFile(join(await tree.prepareDirectory('file/', 'file'), 'inner'), 'x');
    } finally {
      await tree.close();
    }
    expect(await readFile(join(root, 'dir'), 'utf8')).toBe('now a file');
    expect((await lstat(join(root, 'file'))).isDirectory()).toBe(true);
    expect(readdirSync(canary)).toEqual(['keep']);
  });

  it('never removes a directory holding a mount point', async () => {
    const volume = join(work, 'volume');
    await mkdir(volume);
    const tree = await PinnedTree.open(root, { dirNonDir: 'replace', mounts: new Map([['dir/deep', { source: volume, readOnly: false }]]) });
    try {
      await expect(tree.prepareSlot('dir', 'dir')).rejects.toThrow(/mount point/);
    } finally {
      await tree.close();
    }
    expect(await readFile(join(root, 'dir/deep/f'), 'utf8')).toBe('old');
  });
});

describe('PinnedTree limits and mounts', () => {
  it('holds a bounded number of directories open however many it creates', async () => {
    const tree = await PinnedTree.open(root);
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    try {
      for (let i = 0; i < MAX_HELD_DIRECTORIES * 3; i++) {
        await writeFile(await tree.prepareSlot(`d${i}/f`, `d${i}/f`), String(i), { flag: 'wx' });
      }
      expect(openFds() - before).toBeLessThanOrEqual(MAX_HELD_DIRECTORIES + 2);
      // A directory closed along the way is opened again through its parent.
      await writeFile(await tree.prepareSlot('d0/g', 'd0/g'), 'again', { flag: 'wx' });
    } finally {
      await tree.close();
    }
    expect(await readFile(join(root, 'd0/g'), 'utf8')).toBe('again');
    expect(readdirSync(root)).toHaveLength(MAX_HELD_DIRECTORIES * 3);
  });

  it('writes below a mount point into the mount, and refuses read-only mounts and replacing a mount point', async () => {
    const volume = join(work, 'volume');
    const readOnly = join(work, 'ro');
    await mkdir(volume);
    await mkdir(readOnly);
    const tree = await PinnedTree.open(root, {
      mounts: new Map([
        ['data', { source: volume, readOnly: false }],
        ['ro', { source: readOnly, readOnly: true }],
      ]),
    });
    try {
      await writeFile(await tree.prepareSlot('data/f', 'data/f'), 'in the volume', { flag: 'wx' });
      await expect(tree.prepareSlot('ro/f', 'ro/f')).rejects.toThrow(/read-only/);
      await expect(tree.prepareSlot('data', 'data')).rejects.toThrow(/mount point/);
    } finally {
      await tree.close();
    }
    expect(await readFile(join(volume, 'f'), 'utf8')).toBe('in the volume');
    expect(readdirSync(root)).toEqual([]);
  });
});
