import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directorySize } from './directory-size.js';

describe('directorySize', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts hard-linked files once and does not follow symlinks', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-dirsize-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a'), 'x'.repeat(10));
    await link(join(dir, 'a'), join(dir, 'sub', 'a-again'));
    await writeFile(join(dir, 'sub', 'b'), 'y'.repeat(5));
    await symlink('/usr', join(dir, 'usr'));
    expect(await directorySize(dir)).toBe(10 + 5 + '/usr'.length);
  });

  it('is 0 for a missing directory', async () => {
    expect(await directorySize('/nonexistent/berth-dirsize')).toBe(0);
  });
});
