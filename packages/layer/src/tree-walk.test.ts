import { constants, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeFd } from './path-in-root.js';
import { O_PATH } from './syscalls.js';
import { walkTree, type WalkEntry } from './tree-walk.js';

let work: string;
let root: string;
let top: number;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-tree-walk-'));
  root = join(work, 'root');
  await mkdir(join(root, 'dir'), { recursive: true });
  await writeFile(join(work, 'host-secret'), 'host');
  top = openSync(root, O_PATH | constants.O_DIRECTORY);
});

afterEach(async () => {
  closeFd(top);
  await rm(work, { recursive: true, force: true });
});

async function paths(options: Parameters<typeof walkTree>[2] = {}): Promise<string[]> {
  const seen: string[] = [];
  await walkTree(top, async (entry) => void seen.push(entry.path), options);
  return seen;
}

describe('walkTree', () => {
  it('walks depth first in name order without following symlinks', async () => {
    await writeFile(join(root, 'dir/b'), 'b');
    await writeFile(join(root, 'a'), 'a');
    await symlink(work, join(root, 'dir/out'));
    expect(await paths()).toEqual(['', 'a', 'dir', 'dir/b', 'dir/out']);
  });

  it('walks into mounts instead of what lies beneath, and lists mount points the tree lacks', async () => {
    const volume = join(work, 'volume');
    await mkdir(volume);
    await writeFile(join(volume, 'v'), 'v');
    await writeFile(join(root, 'dir/hidden'), 'under the mount');
    const open = (): number => openSync(volume, O_PATH);
    expect(await paths({ mounts: new Map([['dir', open], ['new/mnt', open]]) })).toEqual(['', 'dir', 'dir/v']);
    await mkdir(join(root, 'new'));
    expect(await paths({ mounts: new Map([['new/mnt', open]]) })).toEqual(['', 'dir', 'dir/hidden', 'new', 'new/mnt', 'new/mnt/v']);
  });

  it('opens only the regular file it walked: a FIFO or a symlink swapped in is not opened', async () => {
    await writeFile(join(root, 'fifo'), 'was a file');
    await writeFile(join(root, 'link'), 'was a file');
    const opened: Record<string, boolean> = {};
    await walkTree(top, async (entry: WalkEntry) => {
      if (entry.path === 'fifo') {
        await unlink(join(root, 'fifo'));
        execFileSync('mkfifo', [join(root, 'fifo')]);
      }
      if (entry.path === 'link') {
        await unlink(join(root, 'link'));
        await symlink(join(work, 'host-secret'), join(root, 'link'));
      }
      if (entry.stats.isFile()) {
        const file = await entry.openFile();
        opened[entry.path] = file !== undefined;
        await file?.close();
      }
    });
    expect(opened).toEqual({ fifo: false, link: false });
  });

  it('skips a directory swapped for a symlink before it is entered', async () => {
    await mkdir(join(root, 'dir/sub'));
    await mkdir(join(work, 'outside'));
    await writeFile(join(work, 'outside/secret'), 'host');
    const seen: string[] = [];
    await walkTree(top, async (entry) => {
      seen.push(entry.path);
      if (entry.path === 'dir') {
        await rm(join(root, 'dir/sub'), { recursive: true });
        await symlink(join(work, 'outside'), join(root, 'dir/sub'));
      }
    });
    expect(seen).not.toContain('dir/sub/secret');
  });
});
