import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Descriptor } from '@berth/oci';
import { createDigester, parseDigest, type DigestAlgorithm, type Digester } from '@berth/reference';
import { isTransient, RegistryClientError } from '../registry-client-error.js';
import type { RegistryClient } from '../registry-client.js';
import { untilAborted } from '../until-aborted.js';

/** Bytes of a download so far, as it goes. */
export type DownloadProgress = (current: number, total: number) => void;

export interface BlobDownloadsOptions {
  /** Where downloads are kept: `<hex>.partial` while they run (resumed by the next pull), `<hex>` once verified. */
  directory: string;
  /** Attempts per blob, each resuming where the last stopped (default 5). */
  attempts?: number;
  /** The first retry's delay; each next one doubles it (default 1 s). */
  retryDelayMs?: number;
}

const WRITE_BATCH_BYTES = 1024 * 1024;
/** A follower reads what the transfer wrote in chunks of at most this. */
const FOLLOW_CHUNK_BYTES = 1024 * 1024;

interface Download {
  done: Promise<string>;
  listeners: Set<DownloadProgress>;
  users: number;
  /** Stops the transfer once no pull wants it any more (the partial file stays, for the next pull to resume). */
  stop: AbortController;
  file: GrowingFile;
}

/** The file a transfer is writing, as far as it has written it, for readers that follow it. */
class GrowingFile {
  /** Bytes in the file, each hashed already. */
  written = 0;
  /** Counts the times the transfer started the file over: bytes read before are not the blob's. */
  restarts = 0;
  settled = false;
  /** Counts the changes, so a reader can wait for one that came after what it saw, never miss one. */
  version = 0;
  private waiting: Array<() => void> = [];

  constructor(
    /** The partial file; the complete one once the transfer has renamed it. */
    public path: string,
  ) {}

  /** Tells the readers waiting for a change (more bytes, a restart, the end). */
  notify(): void {
    this.version++;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  /** Resolves once the file has changed since `version` was read (at once if it has). */
  changedSince(version: number): Promise<void> {
    if (this.version !== version) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** A follower read bytes of a transfer that then started over (resumed bytes that were wrong, a registry without ranges). */
export class DownloadRestartedError extends Error {
  constructor(digest: string) {
    super(`the download of ${digest} started over while it was read`);
    this.name = 'DownloadRestartedError';
  }
}

/**
 * Blob downloads to files, shared between concurrent pulls: a blob two pulls need is fetched once.
 * A download that fails is retried with `Range` from the bytes it has, and what a failed pull leaves
 * is resumed by the next one; every byte is hashed once, and the file counts only once it matches.
 */
export class BlobDownloads {
  private readonly running = new Map<string, Download>();
  /** Transfers released while still running, until they settle: a new one of the blob waits, as both would use its files. */
  private readonly stopping = new Map<string, Promise<void>>();

  constructor(private readonly options: BlobDownloadsOptions) {}

  /**
   * The verified file of the blob; call `release` once it has been read. A pull that gives up (`signal`)
   * stops waiting at once; the transfer stops when no other pull waits for it. `onJoined` is told when the
   * transfer is this caller's too (from then on it can `follow` it).
   */
  async fetch(client: RegistryClient, repository: string, blob: Descriptor, onProgress: DownloadProgress, signal?: AbortSignal, onJoined?: () => void): Promise<string> {
    signal?.throwIfAborted();
    while (!this.running.has(blob.digest) && this.stopping.has(blob.digest)) await this.stopping.get(blob.digest);
    signal?.throwIfAborted();
    let download = this.running.get(blob.digest);
    if (!download) {
      const listeners = new Set<DownloadProgress>();
      const stop = new AbortController();
      const file = new GrowingFile(join(this.options.directory, `${parseDigest(blob.digest).hex}.partial`));
      const done = this.download(client, repository, blob, file, (current, total) => listeners.forEach((listener) => listener(current, total)), stop.signal);
      // Its users hear a failure through their own wait; one that comes after they all left is nobody's.
      done.catch(() => undefined);
      void done.finally(() => {
        file.settled = true;
        file.notify();
      }).catch(() => undefined);
      download = { done, listeners, users: 0, stop, file };
      this.running.set(blob.digest, download);
    }
    download.users++;
    download.listeners.add(onProgress);
    onJoined?.();
    try {
      return await (signal ? untilAborted(download.done, signal) : download.done);
    } catch (err) {
      this.release(blob.digest);
      throw err;
    } finally {
      download.listeners.delete(onProgress);
    }
  }

  /**
   * The blob's bytes as its transfer writes them, for a user of it (from `fetch` until `release`) that would
   * rather not wait for the end: the stream ends once the blob is verified, and fails as the transfer
   * fails, or with a DownloadRestartedError if the transfer starts its file over after bytes were read.
   */
  follow(digest: string): Readable {
    const download = this.running.get(digest);
    if (!download) throw new Error(`no download of ${digest} to follow`);
    return Readable.from(followFile(digest, download.file, download.done), { objectMode: false });
  }

  /** One user is done with the file: the last one removes it, or stops the transfer if it still runs. */
  release(digest: string): void {
    const download = this.running.get(digest);
    if (!download || --download.users > 0) return;
    this.running.delete(digest);
    download.stop.abort();
    const settled = download.done.then((file) => rm(file, { force: true }), () => undefined);
    this.stopping.set(digest, settled);
    void settled.then(() => {
      if (this.stopping.get(digest) === settled) this.stopping.delete(digest);
    });
  }

  private async download(client: RegistryClient, repository: string, blob: Descriptor, file: GrowingFile, onProgress: DownloadProgress, stop: AbortSignal): Promise<string> {
    const { hex, algorithm } = parseDigest(blob.digest);
    await mkdir(this.options.directory, { recursive: true, mode: 0o700 });
    const partial = file.path;
    const complete = join(this.options.directory, hex);
    // What the file holds, hashed: each attempt appends to it, so a retry asks only for the rest.
    const state: Transfer = { digester: createDigester(algorithm as DigestAlgorithm), have: 0, file };
    state.have = await hashExisting(partial, state.digester, blob.size, stop);
    file.written = state.have;
    file.notify();
    let resumed = state.have > 0;
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fetchRest(client, repository, blob, partial, state, onProgress, stop);
        if (state.digester.digest() === blob.digest) break;
        // Bytes a resumed transfer trusted from an earlier one may be what is wrong: start over once.
        if (!resumed) throw verificationFailed(blob.digest);
        resumed = false;
        await restart(partial, state, algorithm as DigestAlgorithm);
      } catch (err) {
        if (err instanceof RegistryClientError && err.code === 'RANGE_UNSUPPORTED') {
          // A registry without byte ranges: the partial is of no use, the next attempt starts from 0.
          resumed = false;
          await restart(partial, state, algorithm as DigestAlgorithm);
          continue;
        }
        if (stop.aborted || attempt >= attempts || !isTransient(err)) {
          if (err instanceof RegistryClientError && err.code === 'DIGEST_INVALID') await rm(partial, { force: true });
          throw err;
        }
        await sleep((this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1), undefined, { signal: stop });
      }
    }
    await rename(partial, complete);
    file.path = complete;
    return complete;
  }

  /** Appends the bytes after `state.have` to the file, hashing them; `state` follows every chunk written, so a cut transfer is resumed where it stopped. */
  private async fetchRest(client: RegistryClient, repository: string, blob: Descriptor, file: string, state: Transfer, onProgress: DownloadProgress, stop: AbortSignal): Promise<void> {
    if (state.have >= blob.size) return;
    onProgress(state.have, blob.size);
    const { stream } = await client.getBlobUnverified(repository, blob.digest, state.have === 0 ? undefined : { offset: state.have }, stop);
    const cancel = () => stream.destroy(stop.reason as Error);
    if (stop.aborted) cancel();
    stop.addEventListener('abort', cancel);
    const handle = await open(file, 'a', 0o600);
    // Chunks are written a batch at a time (a write per network chunk costs more than the copy); `state`
    // follows what reached the file, and a transfer cut midway still writes what it received.
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      if (batched === 0) return;
      await handle.writev(batch);
      for (const bytes of batch) state.digester.update(bytes);
      state.have += batched;
      state.file.written = state.have;
      state.file.notify();
      [batch, batched] = [[], 0];
    };
    try {
      for await (const chunk of stream) {
        const bytes = chunk as Buffer;
        if (state.have + batched + bytes.length > blob.size) throw verificationFailed(blob.digest);
        batch.push(bytes);
        batched += bytes.length;
        onProgress(state.have + batched, blob.size);
        if (batched >= WRITE_BATCH_BYTES) await flush();
      }
      await flush();
    } catch (err) {
      await flush().catch(() => undefined);
      throw err;
    } finally {
      stop.removeEventListener('abort', cancel);
      await handle.close();
    }
    if (state.have < blob.size) throw new RegistryClientError(`blob ${blob.digest}: the transfer ended after ${state.have} of ${blob.size} bytes`);
  }

  /** Removes what earlier pulls left in the directory: finished files (never in use across a restart) and partials older than `maxAgeMs`. */
  async clean(maxAgeMs: number): Promise<void> {
    const entries = await readdir(this.options.directory).catch(() => [] as string[]);
    const cutoff = Date.now() - maxAgeMs;
    for (const entry of entries) {
      const path = join(this.options.directory, entry);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      if (!entry.endsWith('.partial') || info.mtimeMs < cutoff) await rm(path, { force: true });
    }
  }
}

interface Transfer {
  digester: Digester;
  /** Bytes in the file, all fed to the digester. */
  have: number;
  file: GrowingFile;
}

/** Docker's words for content that does not match its digest; not worth another attempt. */
function verificationFailed(digest: string): RegistryClientError {
  return new RegistryClientError(`filesystem layer verification failed for digest ${digest}`, undefined, 'DIGEST_INVALID');
}

async function restart(file: string, state: Transfer, algorithm: DigestAlgorithm): Promise<void> {
  await rm(file, { force: true });
  state.digester = createDigester(algorithm);
  state.have = 0;
  state.file.written = 0;
  state.file.restarts++;
  state.file.notify();
}

/**
 * Reads `file` as its transfer writes it: what is written is hashed already, so the reader never waits for
 * more than the transfer has; the end comes with `done` (the blob verified), a failure with its failure.
 */
async function* followFile(digest: string, file: GrowingFile, done: Promise<string>): AsyncGenerator<Buffer> {
  let handle: FileHandle | undefined;
  let position = 0;
  let restarts = file.restarts;
  try {
    for (;;) {
      const seen = file.version;
      if (file.restarts !== restarts) {
        if (position > 0) throw new DownloadRestartedError(digest);
        // Nothing read yet: the new file is followed from its start.
        await handle?.close();
        handle = undefined;
        restarts = file.restarts;
        continue;
      }
      if (position < file.written) {
        if (handle === undefined) {
          handle = await openFollowed(file, done);
          // Whatever happened while it was opened (a restart, a rename) is looked at again first.
          if (handle === undefined) await file.changedSince(seen);
          continue;
        }
        const buffer = Buffer.allocUnsafe(Math.min(file.written - position, FOLLOW_CHUNK_BYTES));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) {
          if (file.restarts !== restarts) continue;
          throw new Error(`the download of ${digest} holds fewer bytes than it wrote`);
        }
        position += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
        continue;
      }
      if (file.settled) {
        // The transfer's own outcome: its failure, or the blob verified (every byte written, and read).
        await done;
        if (position === file.written) return;
        continue;
      }
      await file.changedSince(seen);
    }
  } finally {
    await handle?.close();
  }
}

/**
 * The file under its current name; undefined while it is between names (the transfer renames it as it
 * completes). A file gone with its transfer over is that transfer's failure (a blob that did not verify).
 */
async function openFollowed(file: GrowingFile, done: Promise<string>): Promise<FileHandle | undefined> {
  try {
    return await open(file.path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!file.settled) return undefined;
    await done;
    return open(file.path, 'r');
  }
}

/** Feeds a partial file left by an earlier pull to the digester; 0 (and no file) when it is unusable. */
async function hashExisting(file: string, digester: Digester, size: number, stop: AbortSignal): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return 0;
  if (info.size > size) {
    await rm(file, { force: true });
    return 0;
  }
  for await (const chunk of createReadStream(file)) {
    stop.throwIfAborted();
    digester.update(chunk as Buffer);
  }
  return info.size;
}
