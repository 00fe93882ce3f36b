import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { chmod, link, lstat, mkdir, open, readFile, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '@berth/api';
import { LayerStore } from './layer-store.js';
import { LinkableFiles } from './linkable-files.js';
import { setXattr } from './system-tools.js';
import { upperDirTar } from './upper-diff.js';

const asRoot = process.getuid?.() === 0;
// Over pack-file's 256 KiB chunk: the walk is still reading a file when its header reaches the extraction.
const BIG = 1_000_000;

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
  await writeFile(join(upper, 'data', 'setuid'), Buffer.alloc(BIG, 3));
  await chmod(join(upper, 'data', 'setuid'), 0o4755);
  await writeFile(join(upper, 'data', 'twice'), Buffer.alloc(BIG, 4));
  await link(join(upper, 'data', 'twice'), join(upper, 'data', 'twice-again'));
});

const diffOf = (store: string, chainId: string): string => join(work, store, chainId.slice('sha256:'.length), 'diff', 'data');
const inode = async (path: string): Promise<number> => (await lstat(path)).ino;

/** The archive's entry for `data/big`, as the extraction sees it. */
const bigEntry = (): Header => ({ name: 'data/big', size: BIG, mode: 0o644, mtime: new Date(), type: 'file', linkname: '', uid: 0, gid: 0, uname: '', gname: '', devmajor: 0, devminor: 0, pax: null });

/** What the walk does for `data/big`: opens it and offers it; the handle, and the walk's release when it was taken. */
async function offerBig(files: LinkableFiles): Promise<{ handle: FileHandle; walked: (() => Promise<void>) | undefined }> {
  const path = join(upper, 'data', 'big');
  const handle = await open(path, 'r');
  return { handle, walked: files.offer('data/big', handle, await lstat(path)) };
}

/** The number of descriptors this process holds open. */
const openFds = (): number => readdirSync('/proc/self/fd').length;

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

    const diff = diffOf('linked', linked.chainId);
    const big = await lstat(join(diff, 'big'));
    expect(big.ino).toBe((await lstat(join(upper, 'data', 'big'))).ino);
    expect(big.mode & 0o7777).toBe(0o640);
    // The layer's times are the archive's: whole seconds, as extraction sets them.
    expect(big.mtimeMs).toBe(1_700_000_000_000);
    expect((await lstat(join(diff, 'small'))).ino).not.toBe((await lstat(join(upper, 'data', 'small'))).ino);
    expect((await lstat(join(diff, 'labelled'))).ino).not.toBe((await lstat(join(upper, 'data', 'labelled'))).ino);
    expect(await readFile(join(diff, 'labelled'))).toEqual(Buffer.alloc(BIG, 8));
    // chown clears setuid; the mode is set after it, as for a written file.
    expect(await inode(join(diff, 'setuid'))).toBe(await inode(join(upper, 'data', 'setuid')));
    expect((await lstat(join(diff, 'setuid'))).mode & 0o7777).toBe(0o4755);
    // A file with another link is written: the layer never shares an inode the upper dir names twice.
    expect(await inode(join(diff, 'twice'))).not.toBe(await inode(join(upper, 'data', 'twice')));
    expect(await inode(join(diff, 'twice-again'))).toBe(await inode(join(diff, 'twice')));
  });

  it('writes the file when it changed after the walk opened it, and the commit still succeeds', async () => {
    const written = await (await LayerStore.open(join(work, 'written'))).register(upperDirTar(upper), null);
    const store = await LayerStore.open(join(work, 'linked'));
    const files = new LinkableFiles();
    let touched = false;
    // A change of its times while the walk reads the file: the link is declined, and the walk must go on reading.
    const touch = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        // Its header passing means the walk has measured and opened it.
        if (!touched && chunk.includes('data/big\0')) {
          utimesSync(join(upper, 'data', 'big'), new Date(1_600_000_000_000), new Date(1_600_000_000_000));
          touched = true;
        }
        done(null, chunk);
      },
    });
    const linked = await store.register(upperDirTar(upper, { linkable: files }).pipe(touch), null, { linkable: files });
    await files.close();
    expect(touched).toBe(true);
    expect(linked.diffId).toBe(written.diffId);
    expect(await inode(join(diffOf('linked', linked.chainId), 'big'))).not.toBe(await inode(join(upper, 'data', 'big')));
  });

  it('leaves no descriptor open when the extraction fails', async () => {
    const before = openFds();
    const store = await LayerStore.open(join(work, 'linked'), { maxDecompressedBytes: 2 * BIG });
    const files = new LinkableFiles();
    const tar = upperDirTar(upper, { linkable: files });
    await expect(store.register(tar, null, { linkable: files })).rejects.toThrow();
    tar.destroy();
    await files.close();
    await vi.waitFor(() => expect(openFds()).toBe(before));
  });

  it('writes, not links, a file with a user-set inode flag', async (ctx) => {
    try {
      execFileSync('chattr', ['+d', join(upper, 'data', 'big')]);
    } catch {
      ctx.skip('no chattr, or a filesystem without inode flags');
    }
    const store = await LayerStore.open(join(work, 'linked'));
    const files = new LinkableFiles();
    const linked = await store.register(upperDirTar(upper, { linkable: files }), null, { linkable: files });
    await files.close();
    expect(await inode(join(diffOf('linked', linked.chainId), 'big'))).not.toBe(await inode(join(upper, 'data', 'big')));
  });

  it('takes no file whose name extraction makes a whiteout', async () => {
    const path = join(upper, 'data', '.wh.plain');
    await writeFile(path, Buffer.alloc(BIG, 5));
    const handle = await open(path, 'r');
    expect(new LinkableFiles().offer('data/.wh.plain', handle, await lstat(path))).toBeUndefined();
    await handle.close();
  });

  it('writes a file that changed after the walk opened it, and refuses one written to while it is read', async () => {
    const files = new LinkableFiles();
    const path = join(upper, 'data', 'big');
    const { handle, walked } = await offerBig(files);
    expect(walked).toBeDefined();
    await writeFile(path, Buffer.alloc(BIG, 9));
    expect(await files.link(bigEntry(), join(work, 'target'))).toBeUndefined();
    // Declined, but the walk's share keeps the handle open until the walk lets go.
    await expect(handle.stat()).resolves.toBeDefined();
    await walked!();
    await expect(handle.stat()).rejects.toThrow();

    const { walked: walkedAgain } = await offerBig(files);
    const linked = await files.link(bigEntry(), join(work, 'target'));
    expect(linked).toBeDefined();
    await writeFile(path, Buffer.alloc(BIG + 1, 1));
    await expect(linked!.confirm()).rejects.toBeInstanceOf(ConflictError);
    await linked!.close();
    await walkedAgain!();
    await files.close();
  });

  it('refuses offers once closed, and closes what it was offered once the walk lets go', async () => {
    const files = new LinkableFiles();
    const { handle, walked } = await offerBig(files);
    await files.close();
    await walked!();
    await expect(handle.stat()).rejects.toThrow();
    const later = await offerBig(files);
    expect(later.walked).toBeUndefined();
    await later.handle.close();
  });
});
