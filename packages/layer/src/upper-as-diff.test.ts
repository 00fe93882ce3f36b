import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { link, lstat, mkdir, readdir, readFile, readlink, rm, symlink, utimes, lutimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LayerStore } from './layer-store.js';
import { llistxattr } from './syscalls.js';
import { upperDirTar } from './upper-diff.js';

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-upper-diff-'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

const TIME = new Date(1_700_000_000_000);

/** An overlay upper dir as a container leaves it: files, links, a whiteout, an opaque dir, overlay's own xattrs, a socket. */
async function makeUpper(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc/sub'), { recursive: true });
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n', { mode: 0o644 });
  await writeFile(join(dir, 'etc/tool'), Buffer.alloc(200_000, 7), { mode: 0o4755 });
  await link(join(dir, 'etc/passwd'), join(dir, 'etc/sub/passwd-link'));
  await symlink('../passwd', join(dir, 'etc/sub/rel'));
  execFileSync('mknod', [join(dir, 'etc/gone'), 'c', '0', '0']);
  execFileSync('mkfifo', [join(dir, 'etc/fifo')]);
  await mkdir(join(dir, 'opq'));
  await writeFile(join(dir, 'opq/new'), 'new\n');
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(dir, 'opq')]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.impure', '-v', 'y', dir]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.origin', '-v', '0sAPsdAA==', join(dir, 'etc/passwd')]);
  execFileSync('setfattr', ['-n', 'user.note', '-v', 'kept-out-of-the-tar', join(dir, 'etc/tool')]);
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', join(dir, 'etc/sub/app.sock')]);
  // Every time the tar records is set: the two fixtures a test compares must make the same tar.
  for (const path of ['etc/passwd', 'etc/tool', 'etc/gone', 'etc/fifo', 'opq/new', 'etc/sub', 'etc', 'opq']) await utimes(join(dir, path), TIME, TIME);
  await lutimes(join(dir, 'etc/sub/rel'), TIME, TIME);
}

interface Described {
  path: string;
  kind: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  content?: string;
  xattrs: string[];
  links: number;
}

/** Every entry below `dir` (not `dir` itself), as a build would see it through overlay. */
async function describeTree(dir: string, rel = ''): Promise<Described[]> {
  const out: Described[] = [];
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const full = join(dir, path);
    const stats = await lstat(full);
    const kind = stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'symlink' : stats.isFIFO() ? 'fifo' : stats.isCharacterDevice() ? `char ${stats.rdev}` : 'other';
    const content = stats.isFile() ? createHash('sha256').update(await readFile(full)).digest('hex') : stats.isSymbolicLink() ? await readlink(full) : undefined;
    out.push({
      path,
      kind,
      mode: stats.mode & 0o7777,
      uid: stats.uid,
      gid: stats.gid,
      // A whiteout's own times are not part of anything a container sees.
      mtime: kind.startsWith('char') ? 0 : stats.mtime.getTime(),
      ...(content !== undefined ? { content } : {}),
      xattrs: llistxattr(full).sort(),
      links: stats.isDirectory() ? 0 : stats.nlink,
    });
    if (stats.isDirectory()) out.push(...(await describeTree(dir, path)));
  }
  return out;
}

describe.runIf(process.getuid?.() === 0)('a layer prepared from a container\'s upper dir', () => {
  it('has the files extracting its tar gives, and the same diff ID, with the upper dir moved, not copied', async () => {
    const store = await LayerStore.open(join(work, 'layers'));
    await makeUpper(join(work, 'upper-a'));
    await makeUpper(join(work, 'upper-b'));
    const extracted = await store.register(upperDirTar(join(work, 'upper-a')), null);
    const moved = await store.register(upperDirTar(join(work, 'upper-b')), null, { upperDir: join(work, 'upper-b') });
    // The same tar either way (the fixtures are alike to the second): one layer, found again.
    expect(moved.diffId).toBe(extracted.diffId);
    expect(moved.size).toBe(extracted.size);
    await expect(lstat(join(work, 'upper-b'))).rejects.toThrow(/ENOENT/);

    const second = await LayerStore.open(join(work, 'layers-moved'));
    await makeUpper(join(work, 'upper-c'));
    const inode = (await lstat(join(work, 'upper-c/etc/tool'))).ino;
    const info = await second.register(upperDirTar(join(work, 'upper-c')), null, { upperDir: join(work, 'upper-c') });
    const [movedDiff] = second.diffDirs(info.chainId);
    const [extractedDiff] = store.diffDirs(extracted.chainId);
    expect((await lstat(join(movedDiff!, 'etc/tool'))).ino).toBe(inode);
    expect(await describeTree(movedDiff!)).toEqual(await describeTree(extractedDiff!));
    expect(llistxattr(join(movedDiff!, 'opq'))).toEqual(['trusted.overlay.opaque']);
    await rm(join(work, 'layers-moved'), { recursive: true, force: true });
  });
});
