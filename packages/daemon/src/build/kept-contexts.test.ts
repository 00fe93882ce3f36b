import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptContextsDir, removeSetAsideContexts, setAsideKeptContexts } from './kept-contexts.js';

let builder: string;

beforeEach(async () => {
  builder = await mkdtemp(join(tmpdir(), 'berth-kept-contexts-'));
});

afterEach(async () => {
  await rm(builder, { recursive: true, force: true });
});

describe('the kept contexts at a daemon start', () => {
  it('are set aside, then removed with what an earlier start left set aside', async () => {
    await mkdir(join(keptContextsDir(builder), 'abc'), { recursive: true });
    await writeFile(join(keptContextsDir(builder), 'abc', 'f'), 'kept');
    await mkdir(join(builder, 'contexts.removed-1-2'));
    await mkdir(join(builder, 'tmp'));
    await setAsideKeptContexts(builder);
    expect((await readdir(builder)).filter((name) => name === 'contexts')).toEqual([]);
    await removeSetAsideContexts(builder);
    expect(await readdir(builder)).toEqual(['tmp']);
  });

  it('need nothing on a first start', async () => {
    await setAsideKeptContexts(builder);
    await removeSetAsideContexts(join(builder, 'missing'));
    expect(await readdir(builder)).toEqual([]);
  });
});
