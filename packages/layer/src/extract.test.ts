import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { lstat, mkdir, readFile, readlink, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractEntries, extractTar } from './extract.js';
import { expectCanaryIntact, expectRejection, makeCanary } from './test-support/canary.js';
import { HOSTILE_CASES } from './test-support/hostile-corpus.js';
import { getXattr } from './test-support/mounts.js';
import { buildTar, gzip, streamOf } from './test-support/tar-builder.js';

let work: string;
let dest: string;
let canary: string;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-extract-'));
  dest = join(work, 'dest');
  await mkdir(dest);
  canary = makeCanary(join(work, 'canary'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('extractTar rejects hostile archives', () => {
  const cases = HOSTILE_CASES.flatMap((c) => [false, true].map((pinned) => ({ ...c, pinned })));
  it.each(cases)('$name (pinned: $pinned)', async (testCase) => {
    const archive = await testCase.archive(canary);
    await expectRejection(
      extractTar(streamOf(archive), dest, { maxBytes: testCase.maxBytes, whiteouts: true, pinned: testCase.pinned }),
      testCase,
      canary,
    );
    expectCanaryIntact(canary);
    expect(readdirSync(work).sort()).toEqual(['canary', 'dest']);
  });
});

const MTIME = new Date('2020-05-06T07:08:09Z');

describe('extractTar', () => {
  it.each([false, true])('extracts directories, files, links, nodes, modes, ownership and times exactly (pinned: %s)', async (pinned) => {
    const archive = await buildTar([
      { name: 'etc/', type: 'directory', mode: 0o755, mtime: MTIME },
      { name: 'etc/hostname', type: 'file', mode: 0o644, content: 'box\n', mtime: MTIME },
      { name: 'home/user/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 },
      { name: 'home/user/secret', type: 'file', mode: 0o600, uid: 1000, gid: 1001, content: 'x' },
      { name: 'bin/tool', type: 'file', mode: 0o4755, uid: 1000, gid: 0, content: 'tool', mtime: MTIME },
      // Larger than what is written synchronously: its content goes out in batched writes before owner, mode, xattrs and time.
      { name: 'bin/big', type: 'file', mode: 0o4755, uid: 1000, gid: 0, content: 'b'.repeat(100_000), mtime: MTIME, pax: { 'SCHILY.xattr.user.big': 'yes' } },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', uid: 5, gid: 6 },
      { name: 'etc/rel', type: 'symlink', linkname: '../bin/tool' },
      { name: 'bin/tool2', type: 'link', linkname: 'bin/tool' },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'etc/dup', type: 'file', content: 'first' },
      { name: 'etc/dup', type: 'file', content: 'second' },
      { name: 'swap', type: 'symlink', linkname: canary },
      { name: 'swap', type: 'file', content: 'now a file' },
      { name: 'was-file', type: 'file', content: 'x' },
      { name: 'was-file/', type: 'directory', mode: 0o750 },
      { name: 'tagged', type: 'file', content: 'x', pax: { 'SCHILY.xattr.user.test': 'hello' } },
      { name: 'forged', type: 'file', content: 'x', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } },
      { name: '.wh.plain', type: 'file', content: '' },
    ]);

    const { bytes } = await extractTar(streamOf(archive), dest, { pinned });

    expect(bytes).toBe(4 + 1 + 4 + 100_000 + 5 + 6 + 10 + 1 + 1 + 1);
    const at = (p: string) => join(dest, p);
    const big = await lstat(at('bin/big'));
    expect([big.mode & 0o7777, big.uid, big.size, big.mtime.getTime()]).toEqual([0o4755, 1000, 100_000, MTIME.getTime()]);
    expect(getXattr(at('bin/big'), 'user.big')).toBe('yes');
    expect((await readdir(dest)).sort()).toEqual(
      ['.wh.plain', 'bin', 'dev', 'etc', 'forged', 'home', 'run', 'swap', 'tagged', 'was-file'].sort(),
    );

    const etc = await lstat(at('etc'));
    expect(etc.isDirectory()).toBe(true);
    expect(etc.mode & 0o7777).toBe(0o755);
    expect(etc.mtime.getTime()).toBe(MTIME.getTime());

    const hostname = await lstat(at('etc/hostname'));
    expect(hostname.mode & 0o7777).toBe(0o644);
    expect(hostname.mtime.getTime()).toBe(MTIME.getTime());
    expect(await readFile(at('etc/hostname'), 'utf8')).toBe('box\n');

    const home = await lstat(at('home/user'));
    expect([home.mode & 0o7777, home.uid, home.gid]).toEqual([0o700, 1000, 1000]);
    expect((await lstat(at('home'))).mode & 0o7777).toBe(0o755);
    const secret = await lstat(at('home/user/secret'));
    expect([secret.mode & 0o7777, secret.uid, secret.gid]).toEqual([0o600, 1000, 1001]);

    const tool = await lstat(at('bin/tool'));
    expect([tool.mode & 0o7777, tool.uid, tool.gid]).toEqual([0o4755, 1000, 0]);
    const tool2 = await lstat(at('bin/tool2'));
    expect(tool2.ino).toBe(tool.ino);
    expect(tool2.nlink).toBe(2);

    const sh = await lstat(at('bin/sh'));
    expect(sh.isSymbolicLink()).toBe(true);
    expect([sh.uid, sh.gid]).toEqual([5, 6]);
    expect(await readlink(at('bin/sh'))).toBe('/bin/busybox');
    expect(await readlink(at('etc/rel'))).toBe('../bin/tool');

    expect((await lstat(at('run/fifo'))).isFIFO()).toBe(true);
    const nullDevice = await lstat(at('dev/null'));
    expect(nullDevice.isCharacterDevice()).toBe(true);
    expect(nullDevice.rdev).toBe((1 << 8) | 3);
    expect(nullDevice.mode & 0o7777).toBe(0o666);

    expect(await readFile(at('etc/dup'), 'utf8')).toBe('second');
    expect((await lstat(at('swap'))).isFile()).toBe(true);
    expect(await readFile(at('swap'), 'utf8')).toBe('now a file');
    expectCanaryIntact(canary);

    const wasFile = await lstat(at('was-file'));
    expect(wasFile.isDirectory()).toBe(true);
    expect(wasFile.mode & 0o7777).toBe(0o750);

    expect(getXattr(at('tagged'), 'user.test')).toBe('hello');
    expect(getXattr(at('forged'), 'trusted.overlay.opaque')).toBeUndefined();
    expect((await lstat(at('.wh.plain'))).isFile()).toBe(true);
  });

  it('gives every entry the named owner instead of the archive\'s', async () => {
    const archive = await buildTar([
      { name: 'd/', type: 'directory', uid: 7, gid: 7 },
      { name: 'd/f', type: 'file', content: 'x', mode: 0o2755, uid: 7, gid: 7 },
      { name: 'd/l', type: 'symlink', linkname: 'f', uid: 7, gid: 7 },
    ]);
    await extractTar(streamOf(archive), dest, { pinned: true, owner: { uid: 33, gid: 44 } });
    for (const path of ['d', 'd/f', 'd/l']) {
      const stats = await lstat(join(dest, path));
      expect({ path, owner: [stats.uid, stats.gid] }).toEqual({ path, owner: [33, 44] });
    }
    expect((await lstat(join(dest, 'd/f'))).mode & 0o7777).toBe(0o2755);
  });

  it('converts whiteouts and opaque markers when asked', async () => {
    const archive = await buildTar([
      { name: 'gone-dir/.wh.gone', type: 'file', content: '' },
      { name: 'opaque/', type: 'directory' },
      { name: 'opaque/.wh..wh..opq', type: 'file', content: '' },
      { name: '.wh..wh.plnk/', type: 'directory' },
      { name: '.wh..wh.plnk/1.2', type: 'file', content: 'aufs' },
    ]);

    await extractTar(streamOf(archive), dest, { whiteouts: true });

    const whiteout = await lstat(join(dest, 'gone-dir/gone'));
    expect(whiteout.isCharacterDevice()).toBe(true);
    expect(whiteout.rdev).toBe(0);
    expect(await readdir(join(dest, 'gone-dir'))).toEqual(['gone']);
    expect(await readdir(join(dest, 'opaque'))).toEqual([]);
    expect(getXattr(join(dest, 'opaque'), 'trusted.overlay.opaque')).toBe('y');
    expect((await readdir(dest)).sort()).toEqual(['gone-dir', 'opaque']);
  });

  it('extracts a gzip-compressed tar', async () => {
    const archive = gzip(await buildTar([{ name: 'a/b', type: 'file', content: 'gz' }]));
    await expect(extractTar(streamOf(archive), dest)).resolves.toEqual({ bytes: 2 });
    expect(await readFile(join(dest, 'a/b'), 'utf8')).toBe('gz');
  });

  it('accepts an empty archive', async () => {
    await expect(extractTar(streamOf(Buffer.alloc(0)), dest)).resolves.toEqual({ bytes: 0 });
  });

  it('extracts a zstd-compressed tar', async () => {
    const archive = execFileSync('zstd', ['-c', '-q'], { input: await buildTar([{ name: 'a/b', type: 'file', content: 'zst' }]) });
    await expect(extractTar(streamOf(archive), dest)).resolves.toEqual({ bytes: 3 });
    expect(await readFile(join(dest, 'a/b'), 'utf8')).toBe('zst');
  });

  it('refuses a corrupt zstd stream', async () => {
    const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    await expect(extractTar(streamOf(zstdMagic), dest)).rejects.toThrow('zstd');
  });

  it('stops a zstd bomb at the size cap', async () => {
    const bomb = execFileSync('zstd', ['-c', '-q', '-19'], { input: await buildTar([{ name: 'zeros', type: 'file', content: Buffer.alloc(8 * 1024 * 1024) }]) });
    expect(bomb.length).toBeLessThan(4096);
    await expect(extractTar(streamOf(bomb), dest, { maxBytes: 1024 * 1024 })).rejects.toThrow('exceeds the limit of 1048576 decompressed bytes');
  });
});

describe('extractEntries', () => {
  const header = (name: string, size: number) => ({ name, type: 'file' as const, mode: 0o640, uid: 0, gid: 0, mtime: new Date(1_700_000_000_000), size, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0 });
  async function* content(text: string): AsyncGenerator<Buffer> {
    yield Buffer.from(text);
  }

  it('writes parsed entries, and links a file that is the same as one outside the tree instead', async () => {
    const outside = join(work, 'same.txt');
    await mkdir(join(work, 'seed'));
    await extractEntries([{ header: header('seed.txt', 4), [Symbol.asyncIterator]: () => content('same') }], join(work, 'seed'));
    await rename(join(work, 'seed', 'seed.txt'), outside);
    const { bytes } = await extractEntries(
      [
        { header: header('linked.txt', 4), sameAs: outside, [Symbol.asyncIterator]: () => content('same') },
        { header: header('gone.txt', 4), sameAs: join(work, 'missing'), [Symbol.asyncIterator]: () => content('gone') },
      ],
      dest,
    );
    expect(bytes).toBe(8);
    expect((await lstat(join(dest, 'linked.txt'))).ino).toBe((await lstat(outside)).ino);
    expect(await readFile(join(dest, 'gone.txt'), 'utf8')).toBe('gone');
    expect((await lstat(join(dest, 'gone.txt'))).mode & 0o7777).toBe(0o640);
  });
});
