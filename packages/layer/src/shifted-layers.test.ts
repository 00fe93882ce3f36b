import { mkdtempSync, rmSync } from 'node:fs';
import { chown, link, lstat, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdMappings } from './id-mapping.js';
import { ensureShiftedCopy } from './shifted-layers.js';

// Real chowns: needs root, as the other remapping tests.
const MAPPINGS: IdMappings = { uids: [{ containerID: 0, hostID: 100000, size: 65536 }], gids: [{ containerID: 0, hostID: 200000, size: 65536 }] };

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-shifted-'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('ensureShiftedCopy', () => {
  it('shifts a hard-linked file once, whichever of its names comes first', async () => {
    const diff = join(work, 'diff');
    await mkdir(join(diff, 'a'), { recursive: true });
    await mkdir(join(diff, 'z'));
    await writeFile(join(diff, 'a', 'file'), 'shared');
    await chown(join(diff, 'a', 'file'), 1000, 1001);
    await link(join(diff, 'a', 'file'), join(diff, 'z', 'file'));
    await link(join(diff, 'a', 'file'), join(diff, 'second'));
    await mkdir(join(work, 'staging'));

    await ensureShiftedCopy(diff, join(work, 'shifted'), 'layer', join(work, 'staging'), MAPPINGS);

    const copy = join(work, 'shifted', 'layer');
    const names = [join(copy, 'a', 'file'), join(copy, 'z', 'file'), join(copy, 'second')];
    const stats = await Promise.all(names.map((name) => lstat(name)));
    expect(stats.map((s) => `${s.uid}:${s.gid}`)).toEqual(['101000:201001', '101000:201001', '101000:201001']);
    // Still one file with three names, as in the layer.
    expect(new Set(stats.map((s) => s.ino)).size).toBe(1);
    expect(stats[0]!.nlink).toBe(3);
    expect((await lstat(join(diff, 'a', 'file'))).uid).toBe(1000);
  });
});
