import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PinnedTree } from './pinned-tree.js';

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
