import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '@berth/api';
import { ContainerStore } from './container-store.js';
import { testRecord as record } from './test-support/container-record.js';

let work: string;
/** A tiny tmpfs, so a test can fill it up and see writes fail as on a full disk. */
let root: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-containers-'));
  root = join(work, 'containers');
  mkdirSync(root);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', root]);
});

afterEach(() => {
  execFileSync('umount', [root]);
  rmSync(work, { recursive: true, force: true });
});

/** Fills the tmpfs to the last byte; file data can no longer be written (directories still can). */
function fillUp(): () => Promise<void> {
  const path = join(root, '.filler');
  // dd stops at "No space left on device": that is the point.
  spawnSync('dd', ['if=/dev/zero', `of=${path}`, 'bs=4k'], { stdio: 'ignore' });
  return () => rm(path, { force: true });
}

const onUnreadable = (dir: string, err: unknown) => {
  throw new Error(`unreadable ${dir}: ${String(err)}`);
};

describe('ContainerStore on a full disk', () => {
  it('add: a record that cannot be written leaves no container, no dir and a free name', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const freeSpace = fillUp();
    const ghost = record('a', '/ghost');

    await expect(store.add(ghost)).rejects.toMatchObject({ code: 'ENOSPC' });

    expect(store.all()).toEqual([]);
    expect(store.find(ghost.id)).toBeUndefined();
    expect(store.isNameTaken('/ghost')).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['.filler', '.trash']);
    await freeSpace();
    await store.add(record('b', '/ghost'));
    expect(store.get('ghost').id).toBe('b'.repeat(64));
    expect((await ContainerStore.open(root, onUnreadable)).all().map((c) => c.name)).toEqual(['/ghost']);
  });

  it('rename: a record that cannot be written keeps the old name, in memory and on disk', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a', '/old');
    await store.add(c);
    const freeSpace = fillUp();

    await expect(store.rename(c, '/new')).rejects.toMatchObject({ code: 'ENOSPC' });

    expect(c.name).toBe('/old');
    expect(store.get('old')).toBe(c);
    expect(store.isNameTaken('/new')).toBe(false);
    await freeSpace();
    expect((await ContainerStore.open(root, onUnreadable)).get('old').id).toBe(c.id);
  });

  it('save: a failed write keeps the previous record whole on disk and leaves no temp file', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a', '/kept');
    await store.add(c);
    fillUp();
    c.restartCount = 7;
    c.config = { Labels: { big: 'x'.repeat(300 * 1024) } };

    await expect(store.save(c)).rejects.toMatchObject({ code: 'ENOSPC' });

    expect(await readdir(store.dirOf(c.id))).toEqual(['container.json']);
    expect(JSON.parse(await readFile(join(store.dirOf(c.id), 'container.json'), 'utf8'))).toMatchObject({ restartCount: 0, config: {} });
  });
});

describe('ContainerStore.open', () => {
  it('trashes the dir of a create the daemon died in (no record yet), and keeps the containers around it', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const kept = record('a', '/kept');
    await store.add(kept);
    // What a daemon killed inside add leaves: the dir, perhaps the record's temp file, never the record.
    const unfinished = join(root, 'c'.repeat(64));
    await mkdir(unfinished);
    await writeFile(join(unfinished, '.container.json.0123456789ab.tmp'), '{"id":');

    const reopened = await ContainerStore.open(root, onUnreadable);

    expect(reopened.all()).toEqual([kept]);
    expect((await readdir(root)).sort()).toEqual(['.trash', kept.id]);
    await reopened.emptyTrash();
    expect(await readdir(join(root, '.trash'))).toEqual([]);
  });

  it('removes the temp files of writes the daemon died in (record, etc files, bundle), keeping the record', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a', '/kept');
    await store.add(c);
    await writeFile(join(store.dirOf(c.id), '.container.json.0123456789ab.tmp'), '{"id":');
    await writeFile(join(store.dirOf(c.id), '.resolv.conf.0123456789ab.tmp'), 'nameserver');
    await mkdir(join(store.dirOf(c.id), 'bundle'));
    await writeFile(join(store.dirOf(c.id), 'bundle', '.config.json.0123456789ab.tmp'), '{"ociVersion":');

    const reopened = await ContainerStore.open(root, onUnreadable);

    expect(reopened.all()).toEqual([c]);
    expect((await readdir(store.dirOf(c.id))).sort()).toEqual(['bundle', 'container.json']);
    expect(await readdir(join(store.dirOf(c.id), 'bundle'))).toEqual([]);
  });

  it('reports a container dir whose record is unreadable, and leaves it in place', async () => {
    const damaged = join(root, 'd'.repeat(64));
    await mkdir(damaged);
    await writeFile(join(damaged, 'container.json'), '{"id":');
    const reported: string[] = [];

    const store = await ContainerStore.open(root, (dir) => reported.push(dir));

    expect(store.all()).toEqual([]);
    expect(reported).toEqual([damaged]);
    expect((await readdir(root)).sort()).toEqual(['.trash', 'd'.repeat(64)]);
  });
  it('keeps and reports a dir without its record that holds more than temp files (an upper with the user data)', async () => {
    const orphan = join(root, 'e'.repeat(64));
    await mkdir(join(orphan, 'upper'), { recursive: true });
    await writeFile(join(orphan, 'upper', 'data.txt'), 'keep me');
    await writeFile(join(orphan, '.container.json.0123456789ab.tmp'), '{"id":');
    const reported: string[] = [];

    const store = await ContainerStore.open(root, (dir) => reported.push(dir));

    expect(store.all()).toEqual([]);
    expect(reported).toEqual([orphan]);
    expect(await readFile(join(orphan, 'upper', 'data.txt'), 'utf8')).toBe('keep me');
    expect(await readdir(join(root, '.trash'))).toEqual([]);
  });

  it('trashes an empty record-less dir (killed between mkdir and the record write)', async () => {
    await mkdir(join(root, 'f'.repeat(64)));

    await ContainerStore.open(root, onUnreadable);

    expect(await readdir(root)).toEqual(['.trash']);
  });

  it('reports an unfinished create it cannot move to the trash, and still opens', async () => {
    const unfinished = join(root, 'c'.repeat(64));
    await mkdir(unfinished);
    await mkdir(join(root, '.trash'));
    // The trash on another filesystem: the rename fails with EXDEV.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', join(root, '.trash')]);
    const reported: unknown[] = [];
    try {
      const store = await ContainerStore.open(root, (_dir, err) => reported.push(err));

      expect(store.all()).toEqual([]);
      expect(reported).toMatchObject([{ code: 'EXDEV' }]);
      expect(await readdir(root)).toContain('c'.repeat(64));
    } finally {
      execFileSync('umount', [join(root, '.trash')]);
    }
  });

  it('keeps a container listed when a temp file in its dir cannot be removed', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a', '/kept');
    await store.add(c);
    // A directory named like a temp file: removing it as a file fails.
    await mkdir(join(store.dirOf(c.id), '.hosts.0123456789ab.tmp'));
    await writeFile(join(store.dirOf(c.id), '.hosts.0123456789ab.tmp', 'x'), '');

    const reopened = await ContainerStore.open(root, onUnreadable);

    expect(reopened.all()).toEqual([c]);
  });
});

describe('ContainerStore pending anonymous volumes', () => {
  it('a create that died before its record: the dir is trashed and its pending volumes reported as abandoned', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const id = 'a'.repeat(64);
    await store.reserve(id);
    await store.notePendingVolumes(id, ['v1']);
    await store.notePendingVolumes(id, ['v1', 'v2']);

    const reopened = await ContainerStore.open(root, onUnreadable);

    expect(reopened.all()).toEqual([]);
    expect(reopened.abandonedVolumes).toEqual(['v1', 'v2']);
    expect(await readdir(root)).toEqual(['.trash']);
  });

  it('a finished create owns its volumes: none is abandoned, also after it is removed', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a', '/done');
    await store.reserve(c.id);
    await store.notePendingVolumes(c.id, ['v1']);
    await store.add(c);
    expect(await readdir(store.dirOf(c.id))).toEqual(['container.json']);

    expect((await ContainerStore.open(root, onUnreadable)).abandonedVolumes).toEqual([]);
    await store.delete(c.id);
    expect((await ContainerStore.open(root, onUnreadable)).abandonedVolumes).toEqual([]);
  });

  it('unreserve removes the dir of a create that failed before its record', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    await store.reserve('a'.repeat(64));
    await store.unreserve('a'.repeat(64));
    expect(await readdir(root)).toEqual(['.trash']);
  });
});

describe('ContainerStore.delete', () => {
  it('takes the dir away from its ID in one rename, so a crash never leaves half of it listed', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const gone = record('a', '/gone');
    const kept = record('b', '/kept');
    await store.add(gone);
    await store.add(kept);
    await mkdir(join(store.dirOf(gone.id), 'upper', 'data'), { recursive: true });

    await store.delete(gone.id);

    expect(store.all()).toEqual([kept]);
    expect(store.isNameTaken('/gone')).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['.trash', kept.id]);
    await store.deletionsDone();
    expect(await readdir(join(root, '.trash'))).toEqual([]);
    await expect(store.add(record('c', '/kept'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps a name with the live container when a removal undone by a power loss brings back its old holder', async () => {
    for (const [order, first, second] of [
      ['marked first', 'a', 'b'],
      ['live first', 'b', 'a'],
    ] as const) {
      const storeRoot = join(root, order.replace(' ', '-'));
      // What the disk holds: the removed container's dir back under its ID (the trash rename lost), marked Dead,
      // and the container created with its name since.
      const records = { a: { ...record('a', '/x'), removal: { removeVolumes: false } }, b: record('b', '/x') };
      for (const key of [first, second]) {
        await mkdir(join(storeRoot, records[key].id), { recursive: true });
        await writeFile(join(storeRoot, records[key].id, 'container.json'), JSON.stringify(records[key]));
      }

      const store = await ContainerStore.open(storeRoot, onUnreadable);
      expect(store.find('x')?.id, order).toBe(records.b.id);
      await store.delete(records.a.id);

      expect(store.find('x')?.id, order).toBe(records.b.id);
      await expect(store.add(record('c', '/x'))).rejects.toBeInstanceOf(ConflictError);
      await store.deletionsDone();
    }
  });

  it('skips what a crash left in the trash at open and deletes it afterwards', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a', '/crashed');
    await store.add(c);
    // What a daemon killed between the rename and the delete leaves.
    await writeFile(join(store.dirOf(c.id), 'upper-file'), 'x');
    await rename(store.dirOf(c.id), join(root, '.trash', `${c.id}-0000`));

    const reopened = await ContainerStore.open(root, onUnreadable);
    expect(reopened.all()).toEqual([]);
    await reopened.emptyTrash();
    expect(await readdir(join(root, '.trash'))).toEqual([]);
  });
});
