import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import { addFileToPack, type PackHeader } from './pack-file.js';
import { pathsWithXattr } from './system.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';

function major(rdev: number): number {
  return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
}

function minor(rdev: number): number {
  return (rdev & 0xff) | Number((BigInt(rdev) >> 12n) & ~0xffn);
}

function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

/** An entry without content (tar-stream wants an explicit empty body for an empty regular file). */
function addEntry(pack: Pack, header: PackHeader): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

interface WalkState {
  pack: Pack;
  opaque: Set<string>;
  /** First archive path of each multiply-linked inode, so later links become hardlink entries. */
  inodes: Map<string, string>;
}

async function addPath(state: WalkState, absolute: string, name: string): Promise<void> {
  const stats = await lstat(absolute);
  const base = { name, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
  if (isWhiteout(stats)) {
    const slash = name.lastIndexOf('/');
    await addEntry(state.pack, { ...base, name: `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}`, type: 'file', size: 0 });
    return;
  }
  if (stats.isDirectory()) {
    await addEntry(state.pack, { ...base, name: `${name}/`, type: 'directory' });
    if (state.opaque.has(absolute)) await addEntry(state.pack, { ...base, name: `${name}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644 });
    for (const child of (await readdir(absolute)).sort()) await addPath(state, join(absolute, child), `${name}/${child}`);
    return;
  }
  const inode = `${stats.dev}:${stats.ino}`;
  const firstLink = stats.nlink > 1 ? state.inodes.get(inode) : undefined;
  if (firstLink !== undefined) {
    await addEntry(state.pack, { ...base, type: 'link', linkname: firstLink, size: 0 });
    return;
  }
  if (stats.nlink > 1) state.inodes.set(inode, name);
  if (stats.isSymbolicLink()) {
    await addEntry(state.pack, { ...base, type: 'symlink', linkname: await readlink(absolute) });
  } else if (stats.isFile()) {
    await addFileToPack(state.pack, { ...base, type: 'file', size: stats.size }, absolute);
  } else if (stats.isFIFO()) {
    await addEntry(state.pack, { ...base, type: 'fifo' });
  } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const type = stats.isCharacterDevice() ? 'character-device' : 'block-device';
    await addEntry(state.pack, { ...base, type, devmajor: major(stats.rdev), devminor: minor(stats.rdev) });
  }
  // Sockets are not part of a filesystem image; tar skips them too.
}

/**
 * The changes in an overlay upper directory as a layer tar: overlay's whiteouts (0/0 character
 * devices) become `.wh.<name>` entries and opaque directories get a `.wh..wh..opq` marker, the
 * reverse of what extraction does. Read it while the container is stopped or paused.
 */
export async function upperDirTar(upper: string): Promise<Readable> {
  const opaque = new Set(await pathsWithXattr(upper, OPAQUE_XATTR));
  const pack = tarPack();
  const state: WalkState = { pack, opaque, inodes: new Map() };
  (async () => {
    for (const child of (await readdir(upper)).sort()) await addPath(state, join(upper, child), child);
  })().then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  // A node stream: consumers wrap or pipe it with node's stream machinery, which misreads streamx.
  return Readable.from(pack as AsyncIterable<Buffer>);
}
