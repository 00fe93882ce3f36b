import { chmod, lchown, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hostOwnerOf, rootPairOf, type IdMappings } from './id-mapping.js';
import { mountOverlayRoot } from './container-root.js';
import type { LayerChainOnDisk, RemappedLayers } from './remapped-layers.js';
import { copyTree } from './system-tools.js';

/**
 * Image layers for a remapped container on a kernel without idmapped mounts: a copy of each layer with
 * its owners shifted by the mapping (dockerd's remapped layers), made on first use and kept, one per
 * layer and mapping, under `<layers>/shifted/<uid>.<gid>/<link>`.
 */
export class ShiftedLayers implements RemappedLayers {
  constructor(readonly mappings: IdMappings) {
    rootPairOf(mappings);
  }

  async mountRoot(dir: string, chain: LayerChainOnDisk): Promise<string> {
    const rootPair = rootPairOf(this.mappings);
    const copies = join(chain.root, SHIFTED_DIR, `${rootPair.uid}.${rootPair.gid}`);
    for (const layer of chain.layers) await ensureShiftedCopy(layer.diff, copies, layer.link, chain.stagingDir, this.mappings);
    const lowerdirs = chain.layers.length === 0 ? [chain.emptyDir] : chain.layers.map((layer) => layer.link);
    return mountOverlayRoot(dir, lowerdirs, copies, { upperOwner: rootPair, volatile: chain.volatile });
  }
}

export const SHIFTED_DIR = 'shifted';

/**
 * Makes `<into>/<name>`, a copy of `diff` with every owner shifted by the mapping, unless it exists. Built in
 * `staging` and renamed in whole, so a crash or a concurrent copy never leaves half a layer in use.
 */
export async function ensureShiftedCopy(diff: string, into: string, name: string, staging: string, mappings: IdMappings): Promise<void> {
  const target = join(into, name);
  if (await exists(target)) return;
  await mkdir(into, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(join(staging, 'shift-'));
  try {
    const copy = join(work, 'diff');
    await copyTree(diff, copy);
    await shiftOwners(copy, mappings);
    try {
      await rename(copy, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another mount made the same copy first.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Shifts the owner of every entry of a private tree (never following symlinks); chown clears setuid and
 * setgid bits, so they are set again. `shifted` holds the inodes done: the copy keeps hard links, and a
 * second name of a file must not shift its already shifted owner again.
 */
async function shiftOwners(dir: string, mappings: IdMappings, shifted = new Set<string>()): Promise<void> {
  await shiftOne(dir, mappings, shifted);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await shiftOwners(path, mappings, shifted);
    else await shiftOne(path, mappings, shifted);
  }
}

async function shiftOne(path: string, mappings: IdMappings, shifted: Set<string>): Promise<void> {
  const stats = await lstat(path);
  if (stats.nlink > 1 && !stats.isDirectory()) {
    const inode = `${stats.dev}:${stats.ino}`;
    if (shifted.has(inode)) return;
    shifted.add(inode);
  }
  const { uid, gid } = hostOwnerOf(mappings, { uid: stats.uid, gid: stats.gid });
  await lchown(path, uid, gid);
  if (!stats.isSymbolicLink() && (stats.mode & 0o6000) !== 0) await chmod(path, stats.mode & 0o7777);
}
