import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAll } from './read-all.js';
import { extractArchive } from './copy-archive.js';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Readable> {
  const archive = pack();
  for (const { body, ...header } of entries) {
    const full = { mode: header.type === 'directory' ? 0o755 : 0o644, ...header };
    if (body === undefined) archive.entry(full);
    else archive.entry(full, body);
  }
  archive.finalize();
  return Readable.from([await readAll(archive as AsyncIterable<unknown> as AsyncIterable<Buffer>)]);
}

/** The file the cases through an absolute symlink to /tmp would write there, were they not refused. */
const ABSOLUTE_TARGET = `berth-copy-archive-test-${process.pid}`;

let root: string;
let dest: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-copy-archive-'));
  dest = join(root, 'dest');
  await mkdir(dest);
  await writeFile(join(root, 'outside-file'), 'keep');
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('extractArchive', () => {
  it('unpacks files, directories and links that stay inside the destination, absolute symlinks as they are', async () => {
    await extractArchive(
      await tarOf([
        { name: 'd', type: 'directory' },
        { name: 'd/f', body: 'content' },
        { name: 'd/rel', type: 'symlink', linkname: 'f' },
        { name: 'd/abs', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'd/hard', type: 'link', linkname: 'd/f' },
      ]),
      { dir: dest },
    );
    expect(await readFile(join(dest, 'd/f'), 'utf8')).toBe('content');
    expect(await readlink(join(dest, 'd/rel'))).toBe('f');
    expect(await readlink(join(dest, 'd/abs'))).toBe('/etc/passwd');
    expect((await lstat(join(dest, 'd/hard'))).nlink).toBe(2);
  });

  it.each<[string, Entry[]]>([
    ['a symlink out, then a file through it', [{ name: 'a', type: 'symlink', linkname: '../outside' }, { name: 'a/pwned', body: 'x' }]],
    ['an absolute symlink, then a file through it', [{ name: 'a', type: 'symlink', linkname: '/tmp' }, { name: `a/${ABSOLUTE_TARGET}`, body: 'x' }]],
    ['a hard link to a file outside', [{ name: 'h', type: 'link', linkname: '../outside-file' }]],
    ['a hard link through a symlink the archive made', [{ name: 'a', type: 'symlink', linkname: '..' }, { name: 'h', type: 'link', linkname: 'a/outside-file' }]],
    ['a file below a hard link to a symlink the archive made', [{ name: 'a', type: 'symlink', linkname: '/tmp' }, { name: 'h', type: 'link', linkname: 'a' }, { name: `h/${ABSOLUTE_TARGET}`, body: 'x' }]],
    ['a name that climbs out', [{ name: '../pwned', body: 'x' }]],
  ])('refuses %s, writing nothing outside', async (_, entries) => {
    await expect(extractArchive(await tarOf(entries), { dir: dest })).rejects.toThrow(/^invalid copy source content: /);
    expect((await lstat(join(root, 'outside-file'))).nlink).toBe(1);
    await expect(lstat(join(root, 'outside'))).rejects.toThrow();
    await expect(lstat(join(root, 'pwned'))).rejects.toThrow();
    await expect(lstat(join('/tmp', ABSOLUTE_TARGET))).rejects.toThrow();
  });

  it("follows the user's own symlinks in the destination, as docker does", async () => {
    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), join(dest, 'logs'));
    await extractArchive(await tarOf([{ name: 'logs/app.log', body: 'line' }]), { dir: dest });
    expect(await readFile(join(root, 'elsewhere', 'app.log'), 'utf8')).toBe('line');
  });

  it('fails with the first error alone when an entry cannot be written (no unhandled stream error)', async () => {
    await mkdir(join(dest, 'file'));
    const tar = await tarOf([{ name: 'file', body: 'x' }, { name: 'other', body: 'y' }]);
    await expect(extractArchive(tar, { dir: dest })).rejects.toThrow(/cannot overwrite directory/);
  });
});
