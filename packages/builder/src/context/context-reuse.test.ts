import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerignoreMatcher } from '@berth/api';
import { BuildContext } from './build-context.js';
import { ContextReuse, LENDABLE_MAX_BYTES } from './context-reuse.js';
import { makeTar, type TarSpec } from './test-support/tars.js';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

let work: string;
let reuse: ContextReuse;
let extractions = 0;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-context-reuse-'));
  reuse = new ContextReuse(join(work, 'kept'));
});

afterEach(async () => {
  await reuse.settled();
  await rm(work, { recursive: true, force: true });
});

async function extract(entries: TarSpec[]): Promise<BuildContext> {
  const lend = await reuse.lender();
  return BuildContext.extract(Readable.from([await makeTar(entries)]), join(work, `context-${extractions++}`), {
    ignoreRules: dockerignoreMatcher,
    ...(lend !== undefined ? { lend } : {}),
  });
}

const inode = async (path: string): Promise<number> => (await lstat(path)).ino;

/** Keeps `context` and waits until it is indexed, as the next build's lender does. */
async function keep(context: BuildContext): Promise<void> {
  await reuse.keep(context);
  await reuse.settled();
}

const keptDir = async (): Promise<string> => {
  const [id] = await readdir(join(work, 'kept'));
  return join(work, 'kept', id!);
};

// Owners from the archive are kept only as root (the CI runs as root, as the daemon does).
describe.runIf(process.getuid?.() === 0)('ContextReuse', () => {
  it('links the files of the next context that are the same as kept ones, and writes the others', async () => {
    const first = await extract([
      { name: 'same.txt', content: 'unchanged\n', mode: 0o640, uid: 1000, gid: 1000 },
      { name: 'edited.txt', content: 'before\n' },
      { name: 'touched.txt', content: 'same bytes\n', mtime: new Date(1_700_000_000_000) },
    ]);
    await keep(first);
    expect(await readdir(join(work, 'context-0')).catch(() => [])).toEqual([]);
    const kept = (await reuse.usage())!;
    expect(kept.size).toBe('unchanged\n'.length + 'before\n'.length + 'same bytes\n'.length);
    const keptPath = (name: string): string => join(work, 'kept', kept.id, name);

    const second = await extract([
      { name: 'same.txt', content: 'unchanged\n', mode: 0o640, uid: 1000, gid: 1000 },
      { name: 'edited.txt', content: 'after\n' },
      // Same content, another modification time: a COPY would carry that time, so it is another file.
      { name: 'touched.txt', content: 'same bytes\n', mtime: new Date(1_700_000_100_000) },
    ]);
    expect(await inode(join(second.root, 'same.txt'))).toBe(await inode(keptPath('same.txt')));
    expect(await inode(join(second.root, 'edited.txt'))).not.toBe(await inode(keptPath('edited.txt')));
    expect(await inode(join(second.root, 'touched.txt'))).not.toBe(await inode(keptPath('touched.txt')));
    expect(await readFile(join(second.root, 'same.txt'), 'utf8')).toBe('unchanged\n');
    expect(await readFile(join(second.root, 'edited.txt'), 'utf8')).toBe('after\n');
    const stats = await lstat(join(second.root, 'same.txt'));
    expect(await second.contentDigest('same.txt', stats, () => Promise.reject(new Error('read again')))).toBe(sha256('unchanged\n'));
    expect((await reuse.usage())!.usageCount).toBe(1);
  });

  it('never lends one kept file twice to a context: identical files stay distinct files', async () => {
    await keep(await extract([{ name: 'a/__init__.py', content: '' }]));
    const next = await extract([
      { name: 'a/__init__.py', content: '' },
      { name: 'b/__init__.py', content: '' },
    ]);
    expect(await inode(join(next.root, 'a/__init__.py'))).not.toBe(await inode(join(next.root, 'b/__init__.py')));
  });

  it('keeps what the build left: a file .dockerignore removed is not lent', async () => {
    const first = await extract([
      { name: '.dockerignore', content: 'secret.txt\n' },
      { name: 'secret.txt', content: 'hunter2\n' },
    ]);
    await keep(first);
    expect((await reuse.usage())!.size).toBe('secret.txt\n'.length);
    expect(await readdir(await keptDir())).toEqual(['.dockerignore']);
  });

  it('replaces the kept context with the next one, and drop removes it', async () => {
    await keep(await extract([{ name: 'one.txt', content: '1' }]));
    await keep(await extract([{ name: 'two.txt', content: '22' }]));
    await reuse.settled();
    expect(await readdir(join(work, 'kept'))).toHaveLength(1);
    expect((await reuse.usage())!.size).toBe(2);
    expect((await reuse.drop())!.size).toBe(2);
    expect((await reuse.usage())).toBeUndefined();
    expect(await reuse.lender()).toBeUndefined();
    expect(await readdir(join(work, 'kept'))).toEqual([]);
  });

  it('writes the content when the kept file went away after it was lent', async () => {
    await keep(await extract([{ name: 'f.txt', content: 'content\n' }]));
    const lend = (await reuse.lender())!;
    await reuse.drop();
    const context = await BuildContext.extract(Readable.from([await makeTar([{ name: 'f.txt', content: 'content\n' }])]), join(work, 'late'), { lend });
    expect(await readFile(join(context.root, 'f.txt'), 'utf8')).toBe('content\n');
    expect((await lstat(join(context.root, 'f.txt'))).nlink).toBe(1);
  });

  it('never writes through a lent file: a later entry at its path or a hardlink to it leaves the kept file as it was', async () => {
    await keep(await extract([{ name: 'f.txt', content: 'kept\n' }]));
    const kept = join(await keptDir(), 'f.txt');
    const before = await lstat(kept);
    const next = await extract([
      { name: 'f.txt', content: 'kept\n' },
      { name: 'g.txt', type: 'link', linkname: 'f.txt' },
      { name: 'f.txt', content: 'replaced\n', mode: 0o600 },
    ]);
    expect(await readFile(join(next.root, 'f.txt'), 'utf8')).toBe('replaced\n');
    expect(await readFile(kept, 'utf8')).toBe('kept\n');
    const after = await lstat(kept);
    expect([after.mode, after.mtimeMs, after.size]).toEqual([before.mode, before.mtimeMs, before.size]);
  });

  it('keeps only what it can lend: no file too large to lend, nor other names of one, nor symlinks', async () => {
    const big = 'x'.repeat(LENDABLE_MAX_BYTES + 1);
    await keep(
      await extract([
        { name: 'big.bin', content: big },
        { name: 'alias.bin', type: 'link', linkname: 'big.bin' },
        { name: 'small.txt', content: 'small\n' },
        { name: 'small-alias.txt', type: 'link', linkname: 'small.txt' },
        { name: 'link', type: 'symlink', linkname: 'small.txt' },
      ]),
    );
    expect(await readdir(await keptDir())).toEqual(['small.txt']);
    expect((await reuse.usage())!.size).toBe('small\n'.length);
  });

  it('drops only the context it was asked to drop', async () => {
    await keep(await extract([{ name: 'one.txt', content: '1' }]));
    const first = (await reuse.usage())!.id;
    await keep(await extract([{ name: 'two.txt', content: '22' }]));
    expect(await reuse.drop(first)).toBeUndefined();
    expect((await reuse.usage())!.size).toBe(2);
  });

  it('keeps nothing when nothing can be lent, and the earlier context stays', async () => {
    await keep(await extract([{ name: 'small.txt', content: 'small\n' }]));
    const earlier = (await reuse.usage())!.id;
    await keep(await extract([{ name: 'dir/', type: 'directory' }]));
    expect((await reuse.usage())!.id).toBe(earlier);
    expect(await readdir(join(work, 'kept'))).toEqual([earlier]);
  });
});
