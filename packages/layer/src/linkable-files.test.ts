import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, lstat, mkdir, open, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '@berth/api';
import { LayerStore } from './layer-store.js';
import { LinkableFiles } from './linkable-files.js';
import { setXattr } from './system-tools.js';
import { upperDirTar } from './upper-diff.js';

const asRoot = process.getuid?.() === 0;
const BIG = 256 * 1024;

let work: string;
let upper: string;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-linkable-'));
  upper = join(work, 'upper');
  await mkdir(join(upper, 'data'), { recursive: true });
  await writeFile(join(upper, 'data', 'big'), Buffer.alloc(BIG, 7), { mode: 0o640 });
  await chmod(join(upper, 'data', 'big'), 0o640);
  await utimes(join(upper, 'data', 'big'), new Date(1_700_000_000_500), new Date(1_700_000_000_500));
  await writeFile(join(upper, 'data', 'small'), 'small file');
  await writeFile(join(upper, 'data', 'labelled'), Buffer.alloc(BIG, 8));
  await setXattr(join(upper, 'data', 'labelled'), 'user.label', Buffer.from('x'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.runIf(asRoot)('a layer stored from a throwaway upper dir', () => {
  it('links the large files without xattrs, writes the rest, and keeps the same diffID and metadata', async () => {
    const written = await (await LayerStore.open(join(work, 'written'))).register(upperDirTar(upper), null);
    const store = await LayerStore.open(join(work, 'linked'));
    const files = new LinkableFiles();
    const linked = await store.register(upperDirTar(upper, { linkable: files }), null, { linkable: files });
    await files.close();
    expect(linked.diffId).toBe(written.diffId);

    const diff = join(work, 'linked', linked.chainId.slice('sha256:'.length), 'diff', 'data');
    const big = await lstat(join(diff, 'big'));
    expect(big.ino).toBe((await lstat(join(upper, 'data', 'big'))).ino);
    expect(big.mode & 0o7777).toBe(0o640);
    // The layer's times are the archive's: whole seconds, as extraction sets them.
    expect(big.mtimeMs).toBe(1_700_000_000_000);
    expect((await lstat(join(diff, 'small'))).ino).not.toBe((await lstat(join(upper, 'data', 'small'))).ino);
    expect((await lstat(join(diff, 'labelled'))).ino).not.toBe((await lstat(join(upper, 'data', 'labelled'))).ino);
    expect(await readFile(join(diff, 'labelled'))).toEqual(Buffer.alloc(BIG, 8));
  });

  it('writes a file that changed after the walk opened it, and refuses one written to while it is read', async () => {
    const files = new LinkableFiles();
    const path = join(upper, 'data', 'big');
    const handle = await open(path, 'r');
    expect(files.offer('data/big', handle, await lstat(path))).toBe(true);
    await writeFile(path, Buffer.alloc(BIG, 9));
    expect(await files.link('data/big', join(work, 'target'), BIG)).toBeUndefined();

    const again = await open(path, 'r');
    expect(files.offer('data/big', again, await lstat(path))).toBe(true);
    const link = await files.link('data/big', join(work, 'target'), BIG);
    expect(link).toBeDefined();
    await writeFile(path, Buffer.alloc(BIG + 1, 1));
    await expect(link!.confirm()).rejects.toBeInstanceOf(ConflictError);
    await link!.close();
    await files.close();
  });

  it('refuses offers once closed, and closes what it was offered', async () => {
    const files = new LinkableFiles();
    const path = join(upper, 'data', 'big');
    const handle = await open(path, 'r');
    expect(files.offer('data/big', handle, await lstat(path))).toBe(true);
    await files.close();
    await expect(handle.stat()).rejects.toThrow();
    const later = await open(path, 'r');
    expect(files.offer('data/big', later, await lstat(path))).toBe(false);
    await later.close();
  });
});
