import { createHash } from 'node:crypto';
import { lstat, lutimes, symlink, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import type { Header } from 'tar-stream';
import { BerthError, InvalidArgumentError } from '@berth/api';
import { extractTar, UnsafeArchiveEntryError } from '@berth/layer';
import { decompressed } from './decompress.js';
import { addEntry, addStreamedEntry, packStream } from './tar-entries.js';

/** What extraction learnt of a regular file in passing, so that a COPY's checksum never reads it again. */
export interface ContentRecord {
  sha256: string;
  size: number;
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

  constructor(private readonly pack: ReturnType<typeof tarPack>) {}

  private remember(path: string): void {
    for (let p = path; p !== '' && p !== '.'; p = posix.dirname(p)) this.paths.add(p);
  }

  private checkParents(name: string, path: string): void {
    for (let p = posix.dirname(path); p !== '.'; p = posix.dirname(p)) {
      if (this.deferred.has(p)) throw new UnsafeArchiveEntryError(name, `parent ${JSON.stringify(p)} is a symlink`);
    }
  }

  async unpack(entry: Entry): Promise<void> {
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
        return;
      case 'symlink':
        if (climbsOut(path, header.linkname ?? '')) {
          this.deferred.set(path, { target: header.linkname ?? '', mtime: header.mtime });
          this.remember(path);
          return;
        }
        break;
      case 'link': {
        const target = entryPath(header.linkname ?? '');
        if (this.skipped.has(target)) {
          this.skipped.add(path);
          return;
        }
        const link = this.deferred.get(target);
        if (link !== undefined) {
          this.deferred.set(path, link);
          this.remember(path);
          return;
        }
        const record = this.files.get(target);
        if (record !== undefined) this.files.set(path, record);
        break;
      }
      case 'file':
      case 'contiguous-file': {
        const hash = createHash('sha256');
        let size = 0;
        await addStreamedEntry(this.pack, { ...header }, entry, (chunk) => {
          hash.update(chunk);
          size += chunk.length;
        });
        this.files.set(path, { sha256: hash.digest('hex'), size });
        this.remember(path);
        return;
      }
      default:
        break;
    }
    await addEntry(this.pack, { ...header, size: 0 });
    this.remember(path);
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
 * are checked and re-packed into the layer store's safe extractor, every regular file's sha256 taken
 * on the way; device nodes are left out, and symlinks climbing out of the context (which Docker keeps)
 * are created afterwards — they are never followed by the builder.
 */
export async function extractContext(source: Readable, dir: string): Promise<ExtractedContext> {
  const input = await decompressed(source);
  const parser = tarExtract();
  const pack = tarPack();
  const unpacker = new ContextUnpacker(pack);
  let failure: unknown;
  const fail = (err: unknown): void => {
    failure ??= err;
    const error = err instanceof Error ? err : new Error(String(err));
    input.destroy();
    parser.destroy(error);
    pack.destroy(error);
  };
  input.on('error', fail);
  input.pipe(parser as unknown as NodeJS.WritableStream);
  const produce = async (): Promise<void> => {
    for await (const entry of parser as AsyncIterable<Entry>) {
      await unpacker.unpack(entry);
      entry.resume();
    }
    pack.finalize();
  };
  await Promise.all([produce().catch(fail), extractTar(packStream(pack), dir).catch(fail)]);
  if (failure !== undefined) {
    if (failure instanceof BerthError) throw failure;
    const message = failure instanceof Error ? failure.message : String(failure);
    throw new InvalidArgumentError(`failed to read the build context archive: ${message}`, { cause: failure });
  }
  await unpacker.createDeferredLinks(dir);
  return { files: unpacker.files, paths: unpacker.paths };
}
