import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxWithRandomLayer } from '../docker-archive.js';
import { busyboxArchive, findLeftovers, run, startTestDaemon, writeTree, type CommandResult, type TestDaemon } from '../harness.js';
import { pushBusyboxWithRandomLayer, startRegistry, type TestRegistry } from '../registry-harness.js';
import { recordCounts } from './counts.js';

// Issue 21 item 6, disk full: berthd's data root is a small tmpfs (overlay upper dirs work on tmpfs on this
// kernel), filled until a pull, a load and a build each run out of space part-way. Each fails with Docker's
// "no space left on device", leaves the store as it was, and succeeds once there is room again.
// hostile-load.test.ts covers a layer refused for its size by a limit; this is the filesystem itself running out.

const DATA_ROOT_MIB = 128;
/** Random, so that no compression shrinks it: larger than the room left, smaller than the room after freeing. */
const BIG_LAYER_BYTES = 24 * 1024 * 1024;
/**
 * What the filler leaves free. `early`: room for metadata, not for the big layer, which the first copy
 * (load's staging, pull's download, build's context) does not fit. `late`: room for that copy, not for
 * the next (load's and pull's layer extraction, build's COPY step).
 */
const ROOM = { early: 6 * 1024 * 1024, late: BIG_LAYER_BYTES + 6 * 1024 * 1024 };

const DOWNLOADS = 'image/downloads';
/** Made by the first build, and empty between builds. */
const LAZY_DIRS = new Set(['builder', 'builder/tmp']);

let work: string;
let dataRoot: string;
let daemon: TestDaemon | undefined;
let registry: TestRegistry | undefined;
const filler = (): string => join(dataRoot, 'filler');
let diskFullOps = 0;
let recoveredOps = 0;
let failures = 0;

const d = (): TestDaemon => daemon!;

/** An image of busybox plus one big random layer, as a docker-archive file. */
async function bigImageArchive(tag: string): Promise<string> {
  const path = join(work, `${tag.replace(/[/:]/g, '_')}.tar`);
  await writeFile(path, await busyboxWithRandomLayer(tag, BIG_LAYER_BYTES));
  return path;
}

/** Fills the data root until only `leftFree` bytes are free. */
async function fillDataRoot(leftFree: number): Promise<void> {
  await rm(filler(), { force: true });
  const { bavail, bsize } = await statfs(dataRoot);
  await writeFile(filler(), Buffer.alloc(Math.max(0, bavail * bsize - leftFree)));
}

/**
 * Every path of the data root (images, layers, containers, their temp dirs), with each file's size: what a
 * failed operation must leave as it found. But for a failed pull's partial downloads, kept on purpose for the
 * next pull to resume (docs/compatibility.md), which is checked to leave none once it succeeds.
 */
async function storeTree(): Promise<string[]> {
  const entries = await readdir(dataRoot, { recursive: true });
  const kept = entries.filter((path) => path !== 'filler' && !path.startsWith(DOWNLOADS) && !LAZY_DIRS.has(path)).sort();
  // A directory's size on tmpfs follows its entries, already compared by path.
  return Promise.all(kept.map(async (path) => {
    const entry = await lstat(join(dataRoot, path));
    return entry.isFile() ? `${path} (${entry.size} bytes)` : path;
  }));
}

async function downloads(): Promise<string[]> {
  return readdir(join(dataRoot, DOWNLOADS)).catch(() => []);
}

async function imageTags(): Promise<string[]> {
  const images = await d().docker.listImages({ all: true });
  return images.flatMap((image) => image.RepoTags ?? []).sort();
}

async function expectDaemonServes(): Promise<void> {
  expect(d().process.exitCode, 'berthd exited').toBeNull();
  expect(String(await d().docker.ping())).toBe('OK');
}

/**
 * Where each operation runs out of room, told by its error: `early`, the first copy of the data (load's
 * archive staged entry by entry, pull's download, build's context); `late`, the next (the big layer's
 * extraction, build's COPY step, whose step the legacy builder has announced). A pull extracts a layer
 * while it downloads it, so its late stage is either: whichever write finds the disk full first.
 */
const STAGE_ERRORS: Record<string, Record<keyof typeof ROOM, RegExp>> = {
  load: { early: /failed to extract tar entry "[0-9a-f]{64}\/layer\.tar"/, late: /failed to extract tar entry "big\/random\.bin"/ },
  pull: { early: /^ENOSPC: no space left on device, write$/m, late: /^ENOSPC: no space left on device, write$|failed to extract tar entry "big\/random\.bin"/m },
  build: { early: /^(?![^]*COPY random\.bin)[^]*failed to extract tar entry "random\.bin"/, late: /COPY random\.bin[^]*failed to extract tar entry "random\.bin"/ },
};

/**
 * A CLI failure as Docker's: non-zero, one line naming the cause, last (after the legacy builder's notices for a
 * build), from the stage `room` leaves too small.
 */
function expectNoSpaceError(result: CommandResult, what: string, room: keyof typeof ROOM): void {
  diskFullOps++;
  expect(result.code, `${what} succeeded on a full disk:\n${result.stdout}`).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines.filter((line) => line.includes('no space left on device')), result.stderr).toEqual([lines.at(-1)]);
  if (what !== 'build') expect(lines).toHaveLength(1);
  expect(result.stderr, `${what} ran out of room elsewhere than at its ${room} stage`).toMatch(STAGE_ERRORS[what]![room]);
}

/**
 * Runs the operation on a full data root, checks it failed cleanly, then frees the room and runs it again:
 * it makes image `tag`, removed again to leave room for the next operation.
 */
async function failThenRecover(what: string, room: keyof typeof ROOM, tag: string, operation: () => Promise<CommandResult>): Promise<void> {
  await fillDataRoot(ROOM[room]);
  const before = await storeTree();
  const tagsBefore = await imageTags();
  try {
    expectNoSpaceError(await operation(), what, room);
    expect(await storeTree()).toEqual(before);
    expect(await imageTags()).toEqual(tagsBefore);
    await expectDaemonServes();

    await rm(filler());
    const again = await operation();
    expect(again.code, `${what} after freeing space: ${again.stderr}`).toBe(0);
    expect(await imageTags()).toContain(tag);
    expect(await downloads()).toEqual([]);
    recoveredOps++;
    await d().docker.getImage(tag).remove();
    // A build's intermediate images are build cache, which rmi leaves (docs/compatibility.md) and builder prune removes.
    if (what === 'build') expect((await d().dockerCli(['builder', 'prune', '-af'])).code).toBe(0);
  } catch (err) {
    failures++;
    throw err;
  }
}

describe('a data root that runs out of space', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-disk-full-'));
    dataRoot = join(work, 'data');
    await mkdir(dataRoot);
    const mounted = await run('mount', ['-t', 'tmpfs', '-o', `size=${DATA_ROOT_MIB}m`, 'berth-disk-full', dataRoot]);
    expect(mounted.code, mounted.stderr).toBe(0);
    daemon = await startTestDaemon([], { dataRoot });
    const loaded = await d().dockerCli(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    recordCounts('exhaustion-disk-full', { diskFullOps, recoveredOps, failures });
    let leftovers;
    let inDataRoot: string[] = [];
    try {
      await registry?.stop();
      leftovers = await daemon?.cleanup();
      // The harness looks under its own temp dir; the data root is the test's, on the tmpfs mounted there.
      inDataRoot = (await findLeftovers(dataRoot)).mounts.filter((mount) => mount !== dataRoot);
      for (const mount of inDataRoot.reverse()) await run('umount', ['-l', mount]);
    } finally {
      // Whatever failed above, the tmpfs goes: lazily if something still holds it.
      const unmounted = await run('umount', [dataRoot]);
      if (unmounted.code !== 0) expect((await run('umount', ['-l', dataRoot])).code, unmounted.stderr).toBe(0);
      await rm(work, { recursive: true, force: true });
    }
    expect(leftovers ?? { mounts: [], conmons: [], runtimeState: [] }).toEqual({ mounts: [], conmons: [], runtimeState: [] });
    expect(inDataRoot).toEqual([]);
  });

  for (const room of Object.keys(ROOM) as (keyof typeof ROOM)[]) {
    describe(`full ${room === 'early' ? 'at the first copy of the data' : 'after the first copy of the data'}`, () => {
      it('docker load fails with "no space left on device", keeps the store whole, and works once there is room', async () => {
        const tag = `full/load:${room}`;
        const archive = await bigImageArchive(tag);
        await failThenRecover('load', room, tag, () => d().dockerCli(['load', '-i', archive]));
        await rm(archive);
      });

      it('docker pull fails with "no space left on device", keeps the store whole, and works once there is room', async () => {
        const ref = await pushBusyboxWithRandomLayer(registry!, `full/pull:${room}`, BIG_LAYER_BYTES);
        await failThenRecover('pull', room, ref, () => d().dockerCli(['pull', '-q', ref]));
      });

      it('docker build fails with "no space left on device", leaves no container or layer behind, and works once there is room', async () => {
        const context = await writeTree(join(work, `context-${room}`), { Dockerfile: 'FROM busybox\nCOPY random.bin /random.bin\nRUN test -s /random.bin\n' });
        await writeFile(join(context, 'random.bin'), randomBytes(BIG_LAYER_BYTES));
        const tag = `full/build:${room}`;
        const build = (): Promise<CommandResult> => run('docker', ['build', '-q', '-t', tag, context], { env: { ...d().env, DOCKER_BUILDKIT: '0' } });
        await failThenRecover('build', room, tag, build);
        expect(await d().docker.listContainers({ all: true })).toEqual([]);
        await rm(context, { recursive: true });
      });
    });
  }
});
