import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tasksOfOtherRuntime } from './runtime-state-owner.js';

describe('tasksOfOtherRuntime', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-state-owner-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const task = async (id: string, file: string) => {
    await mkdir(join(root, id));
    await writeFile(join(root, id, file), '{}');
  };

  it("finds the state dirs the other runtime wrote: runc's state.json, crun's status", async () => {
    await task('a', 'state.json');
    await task('b', 'status');
    await mkdir(join(root, 'empty'));
    expect(await tasksOfOtherRuntime(root, 'crun')).toEqual([{ id: 'a', runtime: 'runc' }]);
    expect(await tasksOfOtherRuntime(root, 'runc')).toEqual([{ id: 'b', runtime: 'crun' }]);
  });

  it('finds none before any runtime ran', async () => {
    expect(await tasksOfOtherRuntime(join(root, 'missing'), 'runc')).toEqual([]);
  });
});
