import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detachMountsUnder, isMountPoint } from './mountinfo.js';
import { unmountAllUnder } from './test-support/mounts.js';

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-mountinfo-'));
});

afterEach(() => {
  unmountAllUnder(`${work}/`);
  rmSync(work, { recursive: true, force: true });
});

describe('detachMountsUnder', () => {
  it('lets a recursive removal of a dir leave a tree bound under it intact', async () => {
    // A layer dir on the same filesystem, bound under a container's dir as a remapped root's mount does.
    const canary = join(work, 'layer');
    mkdirSync(join(canary, 'etc'), { recursive: true });
    writeFileSync(join(canary, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const dir = join(work, 'container');
    const nested = join(dir, 'idmapped', '0');
    mkdirSync(nested, { recursive: true });
    execFileSync('mount', ['--bind', canary, nested]);
    mkdirSync(join(nested, 'etc', 'inner'));
    execFileSync('mount', ['--bind', canary, join(nested, 'etc', 'inner')]);

    await detachMountsUnder(dir);
    expect(await isMountPoint(nested)).toBe(false);
    await rm(dir, { recursive: true, force: true });

    expect(readFileSync(join(canary, 'etc', 'passwd'), 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
  });

  it('does nothing for a dir that does not exist', async () => {
    await expect(detachMountsUnder(join(work, 'missing'))).resolves.toBeUndefined();
  });
});
