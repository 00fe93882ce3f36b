import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fsyncDirectory, writeCoalesced, writeFileAtomic } from '@berth/layer';
import { FileRangeStream } from './file-range-stream.js';
import { InvalidPathError, PathNotFoundError, type FileInfo, type StorageDriver } from './storage-driver.js';

const FILE_MODE = 0o644;

function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

/** ENOENT, or ENOTDIR when a path component is a file: either way nothing is at the path. */
function isAbsent(err: unknown): boolean {
  return hasCode(err, 'ENOENT', 'ENOTDIR');
}

/**
 * The registry's files under a root directory, as the Go registry's `filesystem` driver keeps them
 * (`<root>/docker/registry/v2/…`). Small objects are replaced atomically; appends stream.
 */
export class FilesystemDriver implements StorageDriver {
  readonly name = 'filesystem';

  constructor(readonly root: string) {}

  private resolve(path: string): string {
    if (!path.startsWith('/') || path.includes('\0') || path.split('/').includes('..')) throw new InvalidPathError(path);
    return join(this.root, path);
  }

  async getContent(path: string): Promise<Buffer> {
    try {
      return await readFile(this.resolve(path));
    } catch (err) {
      if (isAbsent(err) || hasCode(err, 'EISDIR')) throw new PathNotFoundError(path);
      throw err;
    }
  }

  async putContent(path: string, content: Buffer): Promise<void> {
    const file = this.resolve(path);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, content, FILE_MODE);
  }

  async reader(path: string, offset = 0, length?: number): Promise<FileRangeStream> {
    let handle;
    try {
      handle = await open(this.resolve(path), 'r');
    } catch (err) {
      if (isAbsent(err)) throw new PathNotFoundError(path);
      throw err;
    }
    try {
      return new FileRangeStream(handle, offset, length ?? Math.max(0, (await handle.stat()).size - offset));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Streams `data` onto the end of the file, then fdatasyncs it (as the Go registry syncs a blob before committing it). */
  async append(path: string, data: Readable): Promise<number> {
    const file = this.resolve(path);
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(file, 'a', FILE_MODE);
    try {
      const before = (await handle.stat()).size;
      try {
        const written = await writeCoalesced(handle, data);
        await handle.datasync();
        return before + written;
      } catch (err) {
        // A chunk that fails midway leaves the object as it was, so a retry starts from the same offset.
        await handle.truncate(before);
        throw err;
      }
    } finally {
      await handle.close();
    }
  }

  async stat(path: string): Promise<FileInfo | undefined> {
    try {
      const info = await stat(this.resolve(path));
      return { size: info.size, modified: info.mtime, isDirectory: info.isDirectory() };
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }

  /** Hidden entries are the temp files of atomic writes, never registry objects. */
  async list(path: string): Promise<string[]> {
    try {
      return (await readdir(this.resolve(path))).filter((name) => !name.startsWith('.'));
    } catch (err) {
      if (isAbsent(err)) return [];
      throw err;
    }
  }

  async move(source: string, destination: string): Promise<void> {
    const from = this.resolve(source);
    const to = this.resolve(destination);
    await mkdir(dirname(to), { recursive: true });
    try {
      await rename(from, to);
    } catch (err) {
      if (isAbsent(err) && (await this.stat(source)) === undefined) throw new PathNotFoundError(source);
      throw err;
    }
    await fsyncDirectory(dirname(to));
  }

  async delete(path: string): Promise<void> {
    await rm(this.resolve(path), { recursive: true, force: true });
  }
}
