import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerignoreMatcher } from '@berth/api';
import { BuildContext } from './build-context.js';
import { ContextReuse } from './context-reuse.js';
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
  const lend = reuse.lender();
  return BuildContext.extract(Readable.from([await makeTar(entries)]), join(work, `context-${extractions++}`), {
    ignoreRules: dockerignoreMatcher,
    ...(lend !== undefined ? { lend } : {}),
  });
}

const inode = async (path: string): Promise<number> => (await lstat(path)).ino;

describe('ContextReuse', () => {
  it('links the files of the next context that are the same as kept ones, and writes the others', async () => {
    const first = await extract([
      { name: 'same.txt', content: 'unchanged\n', mode: 0o640, uid: 1000, gid: 1000 },
      { name: 'edited.txt', content: 'before\n' },
      { name: 'touched.txt', content: 'same bytes\n', mtime: new Date(1_700_000_000_000) },
    ]);
    await reuse.keep(first);
    expect(await readdir(join(work, 'context-0')).catch(() => [])).toEqual([]);
    const kept = reuse.usage()!;
    expect(kept.size).toBe('unchanged\n'.length + 'before\n'.length + 'same bytes\n'.length);
    const [keptDir] = await readdir(join(work, 'kept'));
    const keptPath = (name: string): string => join(work, 'kept', keptDir!, name);

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
    expect(reuse.usage()!.usageCount).toBe(1);
  });

  it('never lends one kept file twice to a context: identical files stay distinct files', async () => {
    await reuse.keep(await extract([{ name: 'a/__init__.py', content: '' }]));
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
    await reuse.keep(first);
    expect(reuse.usage()!.size).toBe('secret.txt\n'.length);
    const [keptDir] = await readdir(join(work, 'kept'));
    expect(await readdir(join(work, 'kept', keptDir!))).toEqual(['.dockerignore']);
  });

  it('replaces the kept context with the next one, and drop removes it', async () => {
    await reuse.keep(await extract([{ name: 'one.txt', content: '1' }]));
    await reuse.keep(await extract([{ name: 'two.txt', content: '22' }]));
    await reuse.settled();
    expect(await readdir(join(work, 'kept'))).toHaveLength(1);
    expect(reuse.usage()!.size).toBe(2);
    expect((await reuse.drop())!.size).toBe(2);
    expect(reuse.usage()).toBeUndefined();
    expect(reuse.lender()).toBeUndefined();
    expect(await readdir(join(work, 'kept'))).toEqual([]);
  });

  it('writes the content when the kept file went away after it was lent', async () => {
    await reuse.keep(await extract([{ name: 'f.txt', content: 'content\n' }]));
    const lend = reuse.lender()!;
    await reuse.drop();
    const context = await BuildContext.extract(Readable.from([await makeTar([{ name: 'f.txt', content: 'content\n' }])]), join(work, 'late'), { lend });
    expect(await readFile(join(context.root, 'f.txt'), 'utf8')).toBe('content\n');
    expect((await lstat(join(context.root, 'f.txt'))).nlink).toBe(1);
  });
});
