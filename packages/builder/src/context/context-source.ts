import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { extract as tarExtract } from 'tar-stream';
import type { Header } from 'tar-stream';
import { NotFoundError } from '@berth/api';
import { openDirectoryPath, packFile, UnsafeArchiveEntryError, walkTree, type PackHeader, type WalkEntry } from '@berth/layer';
import type { BuildContext } from './build-context.js';
import { entryDigest, hashList, headerFor, kindOf, tarName, type CopySource, type EmitOptions } from './copy-source.js';
import { decompressed, startsWithTar } from './decompress.js';
import { globMatch } from './glob.js';
import { trimSource } from './scoped-path.js';
import { addEntry, addStreamedEntry } from './tar-entries.js';

const under = (dir: string, path: string): string => (path === '' ? dir : dir === '' ? path : `${dir}/${path}`);

function notFound(source: string): NotFoundError {
  return new NotFoundError(`file not found in build context or excluded by .dockerignore: stat ${trimSource(source)}: file does not exist`);
}

/** Context paths matching a wildcard source, walked as moby does (lexical order, symlinks not entered, hidden build files left out). */
export async function contextMatches(context: BuildContext, pattern: string): Promise<string[]> {
  const maxDepth = pattern.split('/').length;
  const matches: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const name of (await readdir(join(context.root, dir))).sort()) {
      const rel = under(dir, name);
      if (context.isHidden(rel)) continue;
      if (globMatch(pattern, rel)) matches.push(rel);
      if (depth < maxDepth && (await lstat(join(context.root, rel))).isDirectory()) await walk(rel, depth + 1);
    }
  };
  await walk('', 1);
  return matches;
}

/** Opens a regular file of the (private) context for reading, never following a symlink nor blocking on a FIFO. */
async function openContextFile(path: string): Promise<Awaited<ReturnType<typeof open>> | undefined> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  if ((await file.stat()).isFile()) return file;
  await file.close();
  return undefined;
}

/** Writes one walked or resolved context object at `target`; `inodes` turns later links to one file into hardlinks. */
async function emitObject(
  options: EmitOptions,
  target: string,
  stats: Stats,
  io: { openFile(): Promise<Awaited<ReturnType<typeof open>> | undefined>; readlink(): Promise<string | undefined> },
  inodes?: Map<string, string>,
): Promise<void> {
  const kind = kindOf(stats);
  const base = { name: tarName(target, kind === 'directory'), mode: stats.mode, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
  const inode = `${stats.dev}:${stats.ino}`;
  if (kind === 'file' && inodes !== undefined && stats.nlink > 1) {
    const first = inodes.get(inode);
    if (first !== undefined) return addEntry(options.pack, headerFor(options, { ...base, type: 'link', linkname: first }));
    inodes.set(inode, base.name);
  }
  switch (kind) {
    case 'directory':
      return addEntry(options.pack, headerFor(options, { ...base, type: 'directory' }));
    case 'fifo':
      return addEntry(options.pack, headerFor(options, { ...base, type: 'fifo' }));
    case 'symlink': {
      const linkname = await io.readlink();
      if (linkname !== undefined) await addEntry(options.pack, headerFor(options, { ...base, type: 'symlink', linkname }));
      return;
    }
    case 'file': {
      const file = await io.openFile();
      // Gone since it was hashed: the context is private, so this is a bug, not a race to paper over.
      if (file === undefined) throw new NotFoundError(`stat ${target}: file does not exist`);
      try {
        await packFile(options.pack, headerFor(options, { ...base, type: 'file', size: stats.size }), file);
      } finally {
        await file.close();
      }
      return;
    }
    case undefined:
      return;
  }
}

/** Walks a context directory (never following symlinks), leaving hidden build files out. */
async function walkContextDir(context: BuildContext, rel: string, visit: (entry: WalkEntry, rel: string) => Promise<void>): Promise<void> {
  await walkTree(openDirectoryPath(join(context.root, rel)), async (entry) => {
    if (entry.path === '') return;
    const entryRel = under(rel, entry.path);
    if (context.isHidden(entryRel)) return false;
    await visit(entry, entryRel);
  });
}

/** The hash of a context directory's contents: every entry's path below it, type, mode and content. */
async function directoryHash(context: BuildContext, rel: string): Promise<string> {
  const digests: string[] = [];
  await walkContextDir(context, rel, async (entry, entryRel) => {
    const type = kindOf(entry.stats);
    if (type === undefined) return;
    let content: string | undefined;
    if (type === 'file') content = await context.contentDigest(entryRel, entry.stats, () => entry.openFile());
    if (type === 'symlink') content = await entry.readlink();
    digests.push(entryDigest({ path: entry.path, type, mode: entry.stats.mode, size: type === 'file' ? entry.stats.size : 0, content }));
  });
  return hashList('dir', digests);
}

/** Writes a local archive's entries under `target` (ADD), owners and modes as in the archive. */
async function emitArchive(options: EmitOptions, path: string, target: string): Promise<void> {
  const parser = tarExtract();
  const input = await decompressed(createReadStream(path));
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser as unknown as NodeJS.WritableStream);
  const rooted = (name: string): string => {
    const normalised = posix.normalize(name).replace(/\/+$/, '');
    if (name.startsWith('/') || normalised === '..' || normalised.startsWith('../')) {
      throw new UnsafeArchiveEntryError(name, 'path escapes the destination');
    }
    return normalised === '.' ? target : posix.join(target, normalised);
  };
  try {
    for await (const entry of parser as AsyncIterable<AsyncIterable<Buffer> & { header: Header; resume(): void }>) {
      const { header } = entry;
      const destination = rooted(header.name);
      if (destination === target && header.type === 'directory') {
        // The destination itself (the archive's `.`): created beforehand, or existing and left alone, as moby's untar does.
        entry.resume();
        continue;
      }
      const out: PackHeader = { ...header, name: tarName(destination, header.type === 'directory'), mode: (header.mode ?? 0o644) & 0o7777 };
      if (header.type === 'link') out.linkname = tarName(rooted(header.linkname ?? ''));
      if (header.type === 'file' || header.type === 'contiguous-file') await addStreamedEntry(options.pack, out, entry);
      else await addEntry(options.pack, { ...out, size: 0 });
      entry.resume();
    }
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** A source in the build context; `source` as written (its symlinks are resolved inside the context). */
export async function contextSource(context: BuildContext, source: string): Promise<CopySource> {
  const rel = await context.resolve(source);
  const path = join(context.root, rel);
  const stats = await lstat(path).catch(() => undefined);
  const kind = stats && kindOf(stats);
  if (stats === undefined || kind === undefined || kind === 'symlink' || context.isHidden(rel)) throw notFound(source);
  const name = posix.basename(trimSource(source)) || posix.basename(rel);
  if (kind === 'directory') {
    return {
      name,
      hash: await directoryHash(context, rel),
      isDirectory: true,
      emit: async (options, target) => {
        const inodes = new Map<string, string>();
        await walkContextDir(context, rel, (entry) => emitObject(options, posix.join(target, entry.path), entry.stats, entry, inodes));
      },
    };
  }
  const content = kind === 'file' ? await context.contentDigest(rel, stats, () => openContextFile(path)) : undefined;
  return {
    name,
    hash: `file:${entryDigest({ path: '', type: kind, mode: stats.mode, size: kind === 'file' ? stats.size : 0, content })}`,
    isDirectory: false,
    archive:
      kind === 'file'
        ? { detect: () => startsWithTar(createReadStream(path)), unpack: (options, target) => emitArchive(options, path, target) }
        : undefined,
    emit: (options, target) => emitObject(options, target, stats, { openFile: () => openContextFile(path), readlink: async () => readlink(path) }),
  };
}
