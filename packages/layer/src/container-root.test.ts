import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '@berth/api';
import { containerRootPaths, mountOverlayRoot, unmountOverlayRoot } from './container-root.js';
import { isMountPoint } from './mountinfo.js';
import { tryMountOverlay } from './syscalls.js';
import { unmountAllUnder } from './test-support/mounts.js';

let work: string;
let dir: string;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-root-'));
  dir = join(work, 'container');
  await mkdir(join(work, 'lower'));
  await writeFile(join(work, 'lower', 'from-layer'), 'layer');
  const paths = containerRootPaths(dir);
  for (const path of [paths.upper, paths.work, paths.rootfs]) await mkdir(path, { recursive: true });
});

afterEach(() => {
  unmountAllUnder(work);
  rmSync(work, { recursive: true, force: true });
});

describe('overlay roots through the mount API', () => {
  it('mounts through the mount API on this kernel (lowerdir+, Linux 6.8+)', async () => {
    const paths = containerRootPaths(dir);
    expect(tryMountOverlay({ lowerdirs: [join(work, 'lower')], upperdir: paths.upper, workdir: paths.work, target: paths.rootfs })).toBe(true);
    expect(await readFile(join(paths.rootfs, 'from-layer'), 'utf8')).toBe('layer');
    await unmountOverlayRoot(dir);
    expect(await isMountPoint(paths.rootfs)).toBe(false);
  });

  it('names the call that failed, and a volatile mount of the same root works after it', async () => {
    const paths = containerRootPaths(dir);
    // A volatile overlay set up (its marker left in the work dir), then refused where it goes: a file.
    const file = join(work, 'a-file');
    await writeFile(file, '');
    expect(() => tryMountOverlay({ lowerdirs: [join(work, 'lower')], upperdir: paths.upper, workdir: paths.work, target: file, volatile: true })).toThrow(
      expect.objectContaining({ syscall: 'move_mount', message: expect.stringMatching(/^E[A-Z]+: move_mount/) }),
    );

    const rootfs = await mountOverlayRoot(dir, ['lower'], work, { volatile: true });
    expect(await readFile(join(rootfs, 'from-layer'), 'utf8')).toBe('layer');
    await unmountOverlayRoot(dir);
  });
});

describe('a volatile root', () => {
  it('is mounted again within the boot of its last volatile mount, and refused after a restart of the host', async () => {
    await mountOverlayRoot(dir, ['lower'], work, { volatile: true });
    await unmountOverlayRoot(dir);
    await mountOverlayRoot(dir, ['lower'], work, { volatile: true });
    await unmountOverlayRoot(dir);
    // As if the host had restarted since: the recorded boot is another.
    await writeFile(join(dir, 'volatile-boot-id'), 'another-boot\n');
    await expect(mountOverlayRoot(dir, ['lower'], work, { volatile: true })).rejects.toThrow(ConflictError);
    expect(await isMountPoint(containerRootPaths(dir).rootfs)).toBe(false);
  });
});
