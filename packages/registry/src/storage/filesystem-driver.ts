import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fsyncDirectory, writeFileAtomic } from '@berth/layer';
import { FileRangeStream } from './file-range-stream.js';
import { InvalidPathError, PathNotFoundError, type FileInfo, type StorageDriver } from './storage-driver.js';

const FILE_MODE = 0o644;
/** Chunks waiting for the write in progress: at most this many bytes... */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** ...and this many chunks, so a trickle of tiny chunks stays within one writev. */
const WRITE_BATCH_CHUNKS = 256;

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
        const written = await appendCoalesced(handle, data);
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

/**
 * Writes the stream's chunks to the end of an append-mode file as they come: a chunk goes out at once
 * when no write is in progress (the upload's bytes reach the file promptly), and the chunks that
 * arrive meanwhile go together in one writev after it, so under load one threadpool write carries
 * many socket chunks. Reading pauses while WRITE_BATCH_BYTES wait: memory stays bounded. Resolves
 * with the bytes written once every write is done.
 */
async function appendCoalesced(handle: FileHandle, data: Readable): Promise<number> {
  let waiting: Buffer[] = [];
  let waitingBytes = 0;
  let written = 0;
  let writing: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  const writeWaiting = (): void => {
    const buffers = waiting;
    const bytes = waitingBytes;
    waiting = [];
    waitingBytes = 0;
    // Never rejects: a failure is kept for the loop, which stops taking chunks.
    writing = writeAll(handle, buffers).then(
      () => {
        written += bytes;
        if (waiting.length > 0 && failure === undefined) writeWaiting();
        else writing = undefined;
      },
      (error: unknown) => {
        failure = { error };
        writing = undefined;
      },
    );
  };
  const settled = async (): Promise<void> => {
    while (writing !== undefined) await writing;
  };
  try {
    for await (const chunk of data) {
      if (failure !== undefined) throw failure.error;
      if ((chunk as Buffer).length === 0) continue;
      waiting.push(chunk as Buffer);
      waitingBytes += (chunk as Buffer).length;
      if (writing === undefined) writeWaiting();
      else if (waitingBytes >= WRITE_BATCH_BYTES || waiting.length >= WRITE_BATCH_CHUNKS) await writing;
    }
    // A write in progress takes up whatever waits behind it when it is done.
    await settled();
    if (failure !== undefined) throw failure.error;
  } catch (err) {
    // Nothing may still be writing when the caller truncates or closes the file.
    await settled();
    throw err;
  }
  return written;
}

/** Writes every byte of `buffers` to the end of the file, however many writev calls that takes. */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  const rest = [...buffers];
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error('the file took none of the bytes written to it');
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}
