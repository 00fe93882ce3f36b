import { constants, createReadStream, type Stats } from 'node:fs';
import { access, lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerignoreMatcher, InvalidArgumentError, type DockerignoreMatcher } from '@berth/api';
import { pack, type Pack } from 'tar-stream';

type EntryHeader = Parameters<Pack['entry']>[0];

const ZERO_CHUNK = 64 * 1024;

/** One entry of a context tar: a file of the directory, or content made on this side (a Dockerfile read elsewhere). */
export type ContextEntry =
  | { name: string; path: string; stats: Stats; linkname?: string }
  | { name: string; content: Buffer; mode: number; mtime: Date };

/** The .dockerignore patterns (its lines) with the daemon's matcher, so both sides exclude the same paths. */
export function ignoreMatcher(patterns: string[]): DockerignoreMatcher {
  return dockerignoreMatcher(patterns.join('\n'));
}

/** The matcher the walk uses; patterns it refuses (a lone `!`) fail as docker's ValidateContextDirectory does. */
function walkMatcher(patterns: string[]): DockerignoreMatcher {
  try {
    return ignoreMatcher(patterns);
  } catch (err) {
    throw new InvalidArgumentError(`error checking context: ${(err as Error).message}`);
  }
}

/** docker's ValidateContextDirectory messages for what cannot be read. */
function unreadable(path: string): (err: NodeJS.ErrnoException) => never {
  return (err) => {
    throw new Error(err.code === 'EACCES' ? `checking context: can't stat '${path}'` : `checking context: ${err.message}`);
  };
}

/**
 * The entries of a directory as docker's TarWithOptions walks it: lexical order, excluded paths left
 * out, an excluded directory still entered when an exception (`!pattern`) starting with its path may
 * bring back something inside it. Symlinks are entries of their own, never followed; sockets are skipped as docker does.
 * An unreadable file fails here, before anything is sent, with docker's "checking context" message.
 */
export async function contextEntries(root: string, excludes: string[]): Promise<ContextEntry[]> {
  const matcher = walkMatcher(excludes);
  const entries: ContextEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir).catch(unreadable(dir))).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const path = join(dir, name);
      const relative = `${prefix}${name}`;
      const stats = await lstat(path).catch(unreadable(path));
      const skip = matcher.ignores(relative);
      if (stats.isDirectory()) {
        if (!skip) entries.push({ name: `${relative}/`, path, stats });
        if (!skip || matcher.mayReinclude(relative)) await walk(path, `${relative}/`);
        continue;
      }
      if (skip || stats.isSocket()) continue;
      if (stats.isSymbolicLink()) {
        entries.push({ name: relative, path, stats, linkname: await readlink(path) });
        continue;
      }
      if (stats.isFile()) {
        await access(path, constants.R_OK).catch(() => {
          throw new Error(`checking context: no permission to read from '${path}'`);
        });
      }
      entries.push({ name: relative, path, stats });
    }
  };
  await walk(root, '');
  return entries;
}

function headerOf(entry: ContextEntry, keepOwners: boolean): EntryHeader {
  // As docker sends a build context: owned by root, whoever owns the files here (cp -a keeps the owners).
  const root = { uid: 0, gid: 0, uname: '', gname: '' };
  if ('content' in entry) return { name: entry.name, type: 'file', mode: entry.mode, mtime: entry.mtime, size: entry.content.length, ...root };
  const { stats } = entry;
  const owner = keepOwners ? { uid: stats.uid, gid: stats.gid, uname: '', gname: '' } : root;
  const base = { name: entry.name, mode: stats.mode & 0o7777, mtime: stats.mtime, ...owner };
  if (entry.linkname !== undefined) return { ...base, type: 'symlink', linkname: entry.linkname };
  if (stats.isDirectory()) return { ...base, type: 'directory' };
  if (stats.isFIFO()) return { ...base, type: 'fifo' };
  if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const device = { devmajor: (stats.rdev >> 8) & 0xfff, devminor: (stats.rdev & 0xff) | ((stats.rdev >> 12) & 0xfff00) };
    return { ...base, type: stats.isCharacterDevice() ? 'character-device' : 'block-device', ...device };
  }
  return { ...base, type: 'file', size: stats.size };
}

/**
 * The `size` bytes a file's header promised: a file that grew since it was measured is cut there, one that
 * shrank is padded with zeros. Anything else would shift the entries after it, letting its content forge some.
 */
async function* sizedContent(path: string, size: number): AsyncGenerator<Buffer> {
  let sent = 0;
  if (size > 0) {
    for await (const chunk of createReadStream(path, { end: size - 1 })) {
      sent += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  while (sent < size) {
    const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, size - sent));
    sent += zeros.length;
    yield zeros;
  }
}

/** Writes a file's content into the tar as it is read, waiting while the consumer is behind. */
async function packFile(archive: Pack, header: EntryHeader, path: string): Promise<void> {
  let settle!: (err?: Error | null) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  const entry = archive.entry(header, (err) => settle(err));
  const gone = (): void => settle(new Error('the build context stream was closed'));
  archive.once('close', gone);
  try {
    for await (const chunk of sizedContent(path, header.size ?? 0)) {
      if (entry.write(chunk)) continue;
      await new Promise<void>((resolve) => {
        const resume = (): void => {
          entry.off('drain', resume);
          archive.off('close', resume);
          resolve();
        };
        entry.on('drain', resume);
        archive.on('close', resume);
      });
      if (archive.destroyed) break;
    }
    entry.end(Buffer.alloc(0));
    await written;
  } finally {
    archive.off('close', gone);
  }
}

/** The entries as an uncompressed tar stream, file contents read as they are sent; owned by root unless `keepOwners`. */
export function tarEntries(entries: ContextEntry[], { keepOwners = false } = {}): AsyncIterable<Buffer> {
  const archive = pack();
  const write = async (): Promise<void> => {
    for (const entry of entries) {
      const header = headerOf(entry, keepOwners);
      if ('content' in entry) {
        await new Promise<void>((resolve, reject) => archive.entry(header, entry.content, (err) => (err ? reject(err) : resolve())));
      } else if (header.type === 'file') {
        await packFile(archive, header, entry.path);
      } else {
        await new Promise<void>((resolve, reject) => archive.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
      }
    }
    archive.finalize();
  };
  write().catch((err: unknown) => archive.destroy(err as Error));
  return archive as AsyncIterable<Buffer>;
}
