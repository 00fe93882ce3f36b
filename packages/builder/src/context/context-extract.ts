import { createHash } from 'node:crypto';
import { lstat, lutimes, symlink, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import type { Header } from 'tar-stream';
import { BerthError, InvalidArgumentError } from '@berth/api';
import { extractEntries, hasXattrs, UnsafeArchiveEntryError, type TarEntry } from '@berth/layer';
import { identityKey, LENDABLE_MAX_BYTES, type ExtractedFile, type FileLender } from './context-reuse.js';
import { decompressed } from './decompress.js';

/** What extraction learnt of a regular file in passing, so that a COPY's checksum never reads it again. */
export type ContentRecord = ExtractedFile;

/** The owner extraction gives a file: the archive's as root, else the daemon's own (it cannot chown). */
function diskOwner(header: Header): { uid: number; gid: number } {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return { uid: header.uid ?? 0, gid: header.gid ?? 0 };
  return { uid, gid: process.getgid?.() ?? 0 };
}

/** An error of the archive itself (cut short, corrupt compression) as the build reports it; the extractor's own pass through. */
function archiveError(err: unknown): unknown {
  if (err instanceof BerthError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InvalidArgumentError(`failed to read the build context archive: ${message}`, { cause: err });
}

export interface ExtractedContext {
  /** Regular files by context path. */
  files: Map<string, ContentRecord>;
  /** Every path the archive put on disk, with the parent directories it implied. */
  paths: Set<string>;
}

interface Entry extends AsyncIterable<Buffer> {
  header: Header;
  resume(): void;
}

async function* noContent(): AsyncGenerator<Buffer> {
  // Only regular files have content.
}

interface DeferredLink {
  target: string;
  mtime?: Date;
}

/** The entry's context path ('' for the root); names the layer extractor would refuse are refused here first. */
function entryPath(name: string): string {
  if (name === '' || name.includes('\0')) throw new UnsafeArchiveEntryError(name, 'empty or malformed name');
  if (name.startsWith('/')) throw new UnsafeArchiveEntryError(name, 'absolute paths are not allowed');
  const normalised = posix.normalize(name).replace(/\/+$/, '');
  if (normalised === '..' || normalised.startsWith('../')) throw new UnsafeArchiveEntryError(name, 'path escapes the build context');
  return normalised === '.' ? '' : normalised;
}

/** A relative symlink target climbing above the context: Docker's chrooted untar keeps such links, the layer extractor refuses them. */
function climbsOut(path: string, target: string): boolean {
  if (target === '' || target.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return resolved === '..' || resolved.startsWith('../');
}

class ContextUnpacker {
  readonly files = new Map<string, ContentRecord>();
  readonly paths = new Set<string>();
  /** Device nodes are never written into a context; links to them are left out too. */
  private readonly skipped = new Set<string>();
  /** Links climbing out of the context, created after the layer extractor is done. */
  private readonly deferred = new Map<string, DeferredLink>();

  constructor(private readonly lend?: FileLender) {}

  private remember(path: string): void {
    for (let p = path; p !== '' && p !== '.'; p = posix.dirname(p)) this.paths.add(p);
  }

  private checkParents(name: string, path: string): void {
    for (let p = posix.dirname(path); p !== '.'; p = posix.dirname(p)) {
      if (this.deferred.has(p)) throw new UnsafeArchiveEntryError(name, `parent ${JSON.stringify(p)} is a symlink`);
    }
  }

  /** The archive's entries the layer extractor is to write, checked; a read error is the archive's. */
  async *entries(parser: AsyncIterable<Entry>): AsyncGenerator<TarEntry> {
    try {
      for await (const entry of parser) {
        const accepted = this.accept(entry);
        if (accepted !== undefined) yield this.lendable(entry) ? await this.lent(accepted) : accepted;
        entry.resume();
      }
    } catch (err) {
      throw archiveError(err);
    }
  }

  /** What the extractor writes of an entry, or nothing (left out, or created afterwards). */
  private accept(entry: Entry): TarEntry | undefined {
    const { header } = entry;
    const path = entryPath(header.name);
    this.checkParents(header.name, path);
    this.deferred.delete(path);
    this.skipped.delete(path);
    this.files.delete(path);
    switch (header.type) {
      case 'character-device':
      case 'block-device':
        this.skipped.add(path);
        return undefined;
      case 'symlink':
        if (climbsOut(path, header.linkname ?? '')) {
          this.deferred.set(path, { target: header.linkname ?? '', mtime: header.mtime });
          this.remember(path);
          return undefined;
        }
        break;
      case 'link': {
        const target = entryPath(header.linkname ?? '');
        if (this.skipped.has(target)) {
          this.skipped.add(path);
          return undefined;
        }
        const link = this.deferred.get(target);
        if (link !== undefined) {
          this.deferred.set(path, link);
          this.remember(path);
          return undefined;
        }
        const record = this.files.get(target);
        if (record !== undefined) this.files.set(path, record);
        break;
      }
      case 'file':
      case 'contiguous-file':
        this.remember(path);
        return { header, [Symbol.asyncIterator]: () => this.hashed(path, entry) };
      default:
        break;
    }
    this.remember(path);
    return { header, [Symbol.asyncIterator]: noContent };
  }

  /** A file's content on its way to the extractor; its digest is recorded once it has all been read. */
  private async *hashed(path: string, entry: Entry): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let size = 0;
    const content = entry[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await content.next();
      } catch (err) {
        // Read here, inside the extractor: the archive's failure must still read as the archive's.
        throw archiveError(err);
      }
      if (next.done === true) break;
      hash.update(next.value);
      size += next.value.length;
      yield next.value;
    }
    const { header } = entry;
    this.files.set(path, { sha256: hash.digest('hex'), size, ...diskOwner(header), mode: header.mode ?? 0, mtime: header.mtime ?? new Date(0), xattrs: hasXattrs(header) });
  }

  /** A small regular file without xattrs, when there are kept files to link from. */
  private lendable(entry: Entry): boolean {
    const { header } = entry;
    if (this.lend === undefined || (header.type !== 'file' && header.type !== 'contiguous-file') || (header.size ?? 0) > LENDABLE_MAX_BYTES) return false;
    return !hasXattrs(header);
  }

  /** Reads the file whole (it is small) to learn its identity, and names a kept file that is the same, if one is. */
  private async lent(accepted: TarEntry): Promise<TarEntry> {
    const chunks: Buffer[] = [];
    for await (const chunk of accepted) chunks.push(chunk);
    const path = entryPath(accepted.header.name);
    const record = this.files.get(path);
    const sameAs = record === undefined ? undefined : this.lend?.(identityKey(record));
    return {
      header: accepted.header,
      ...(sameAs !== undefined ? { sameAs } : {}),
      [Symbol.asyncIterator]: async function* () {
        yield* chunks;
      },
    };
  }

  /** Creates the deferred links, through real directories only (the tree is private and complete now). */
  async createDeferredLinks(dir: string): Promise<void> {
    for (const [path, link] of this.deferred) {
      let parent = '';
      for (const component of posix.dirname(path).split('/').filter((c) => c !== '.')) {
        parent = parent === '' ? component : `${parent}/${component}`;
        if (!(await lstat(join(dir, parent))).isDirectory()) throw new UnsafeArchiveEntryError(path, `parent ${JSON.stringify(parent)} is not a directory`);
      }
      const parentStats = await lstat(join(dir, parent));
      // A later entry wins, as in tar: the link replaces a file extracted earlier at its path, never a directory.
      const existing = await lstat(join(dir, path)).catch(() => undefined);
      if (existing?.isDirectory()) throw new UnsafeArchiveEntryError(path, 'conflicts with an earlier directory entry');
      if (existing !== undefined) await unlink(join(dir, path));
      await symlink(link.target, join(dir, path));
      if (link.mtime) await lutimes(join(dir, path), link.mtime, link.mtime);
      // Creating the link touched its directory, whose time the extractor had set from the archive.
      await lutimes(join(dir, parent), parentStats.atime, parentStats.mtime);
    }
  }
}

/**
 * Extracts a build context archive (plain, gzip, bzip2, xz or zstd) into `dir` in one pass: entries
 * are checked and handed to the layer store's safe extractor, every regular file's sha256 taken on
 * the way; device nodes are left out, and symlinks climbing out of the context (which Docker keeps)
 * are created afterwards — they are never followed by the builder.
 */
export async function extractContext(source: Readable, dir: string, options: { lend?: FileLender; maxBytes?: number } = {}): Promise<ExtractedContext> {
  const input = await decompressed(source);
  const parser = tarExtract();
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser as unknown as NodeJS.WritableStream);
  const unpacker = new ContextUnpacker(options.lend);
  try {
    await extractEntries(unpacker.entries(parser as AsyncIterable<Entry>), dir, options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {});
  } finally {
    input.destroy();
    parser.destroy();
  }
  await unpacker.createDeferredLinks(dir);
  return { files: unpacker.files, paths: unpacker.paths };
}
