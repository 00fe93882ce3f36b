import type { FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { LogLines, type LogRecord, type LogTimeRange } from './log-lines.js';

export type { LogRecord } from './log-lines.js';

export interface ReadLogOptions extends LogTimeRange {
  follow?: boolean;
  /** Only the last `tail` records (before since/until filtering, as Docker does). */
  tail?: number;
  /** When following: read what is left, then end once this settles (e.g. the container's exit). */
  stopWhen?: Promise<unknown>;
  /** When following: end now. */
  signal?: AbortSignal;
}

/** Large reads: a log is read at disk speed, not at the pace of a syscall and an await per few lines. */
const CHUNK_SIZE = 1024 * 1024;
/**
 * What a follower keeps while it waits for more (regrown by a read that fills it), and the first block a
 * --tail scan reads from the end (doubled while it finds too few lines): a few lines' worth, not a chunk's.
 */
const SMALL_BUFFER_SIZE = 64 * 1024;
const NEWLINE = 0x0a;

/** Reads a conmon k8s-file log as records, optionally following it as conmon appends. */
export async function* readContainerLog(path: string, options: ReadLogOptions = {}): AsyncIterable<LogRecord> {
  for await (const batch of readContainerLogBatches(path, options)) yield* batch;
}

/** readContainerLog in batches of what one read returned: far fewer awaits for large logs. */
export async function* readContainerLogBatches(path: string, options: ReadLogOptions = {}): AsyncIterable<LogRecord[]> {
  for await (const lines of readContainerLogLines(path, options)) {
    // Records outlive the chunk, which the reader reuses: they are views of a copy.
    const owned = Buffer.from(lines.buffer);
    const batch: LogRecord[] = [];
    while (lines.next()) batch.push({ ...lines.record(), data: owned.subarray(lines.contentStart, lines.contentEnd) });
    if (batch.length) yield batch;
  }
}

/**
 * The log as it is read, in chunks of complete lines that skip what is outside since/until; it ends after the
 * chunk that reaches `until`, at the file's end, or (when following) once following stops. A chunk is valid
 * until the next one is asked for: the reader reuses one buffer, so reading allocates nothing per chunk.
 */
export async function* readContainerLogLines(path: string, options: ReadLogOptions = {}): AsyncIterable<LogLines> {
  const reader = await LogReader.open(path);
  if (!reader) return;
  const range: LogTimeRange = { since: options.since, until: options.until };
  try {
    if (options.tail !== undefined && options.tail >= 0) await reader.seekToLastRecords(options.tail);
    if (!options.follow) {
      for (;;) {
        const lines = await reader.readSome(range);
        if (lines === null) return;
        yield lines;
        if (lines.untilReached) return;
      }
    }
    const follower = new ChangeFollower(path, options);
    try {
      for (;;) {
        const stopping = follower.stopRequested;
        for (;;) {
          const lines = await reader.readSome(range);
          if (lines === null) {
            reader.shrinkWhileWaiting();
            break;
          }
          if (options.signal?.aborted) return;
          yield lines;
          if (lines.untilReached) return;
        }
        if (stopping || options.signal?.aborted) return;
        await reader.reopenIfReplaced();
        await follower.nextChange();
      }
    } finally {
      follower.close();
    }
  } finally {
    await reader.close();
  }
}

/**
 * Reads complete lines from a position into one buffer it reuses (a chunk is valid until the next read),
 * keeping an incomplete last line until conmon finishes it.
 */
export class LogReader {
  private position = 0;
  private chunk: Buffer = Buffer.alloc(0);
  /** The incomplete line after the last chunk is `chunk[pendingStart, pendingEnd)`. */
  private pendingStart = 0;
  private pendingEnd = 0;
  /** The last read filled the chunk: more is likely waiting, read it in large chunks again. */
  private filled = false;
  /** The largest block the last --tail scan read (for tests). */
  tailScanSize = 0;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
  ) {}

  static async open(path: string): Promise<LogReader | null> {
    try {
      return new LogReader(path, await open(path, 'r'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Positions the reader at the start of the last `count` lines. */
  async seekToLastRecords(count: number): Promise<void> {
    const { size } = await this.handle.stat();
    if (count === 0) {
      this.position = size;
      return;
    }
    let end = size;
    // The file's final newline ends the last record rather than starting one.
    if (size > 0 && (await this.byteAt(size - 1)) === NEWLINE) end -= 1;
    let seen = 0;
    let block = Buffer.allocUnsafe(SMALL_BUFFER_SIZE);
    for (;;) {
      this.tailScanSize = block.length;
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await this.handle.read(block, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (block[i] !== NEWLINE) continue;
        seen += 1;
        if (seen === count) {
          this.position = start + i + 1;
          return;
        }
      }
      end = start;
      if (end <= 0) break;
      if (block.length < CHUNK_SIZE) block = Buffer.allocUnsafe(block.length * 2);
    }
    this.position = 0;
  }

  /** The complete lines of the next chunk of the file; null at its current end. */
  async readSome(range: LogTimeRange): Promise<LogLines | null> {
    for (;;) {
      this.makeRoom();
      const { bytesRead } = await this.handle.read(this.chunk, this.pendingEnd, this.chunk.length - this.pendingEnd, this.position);
      this.filled = this.pendingEnd + bytesRead === this.chunk.length;
      if (bytesRead === 0) return null;
      this.position += bytesRead;
      const end = this.pendingEnd + bytesRead;
      const complete = this.chunk.lastIndexOf(NEWLINE, end - 1) + 1;
      this.pendingStart = complete;
      this.pendingEnd = end;
      if (complete > 0) return new LogLines(this.chunk.subarray(0, complete), range);
    }
  }

  /** The size of the buffer reads go into (for tests). */
  get bufferSize(): number {
    return this.chunk.length;
  }

  /**
   * At the end of the file while following: a follower may wait for hours, holding the chunk a long line
   * grew to; what conmon appends meanwhile is read into a small buffer, regrown by a read that fills it.
   */
  shrinkWhileWaiting(): void {
    const pending = this.pendingEnd - this.pendingStart;
    if (this.chunk.length <= SMALL_BUFFER_SIZE || pending > SMALL_BUFFER_SIZE / 2) return;
    const small = Buffer.allocUnsafe(SMALL_BUFFER_SIZE);
    this.chunk.copy(small, 0, this.pendingStart, this.pendingEnd);
    this.chunk = small;
    this.pendingStart = 0;
    this.pendingEnd = pending;
    this.filled = false;
  }

  /** Moves the incomplete line to the chunk's start; a line longer than half the chunk, or a read that filled a small one, grows it. */
  private makeRoom(): void {
    const pending = this.pendingEnd - this.pendingStart;
    const small = this.chunk.length < CHUNK_SIZE;
    if (this.chunk.length - pending < this.chunk.length / 2 || this.chunk.length === 0 || (small && this.filled)) {
      const grown = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, this.chunk.length * 2));
      this.chunk.copy(grown, 0, this.pendingStart, this.pendingEnd);
      this.chunk = grown;
    } else if (this.pendingStart > 0) {
      this.chunk.copyWithin(0, this.pendingStart, this.pendingEnd);
    }
    this.pendingStart = 0;
    this.pendingEnd = pending;
  }

  /** conmon's --log-size-max truncates or replaces the file: start over on the new content. */
  async reopenIfReplaced(): Promise<void> {
    const [current, opened] = await Promise.all([stat(this.path).catch(() => null), this.handle.stat()]);
    if (current && current.ino !== opened.ino) {
      await this.handle.close();
      this.handle = await open(this.path, 'r');
      this.restart();
    } else if (opened.size < this.position) {
      this.restart();
    }
  }

  private restart(): void {
    this.position = 0;
    this.pendingStart = 0;
    this.pendingEnd = 0;
  }

  private async byteAt(offset: number): Promise<number> {
    const one = Buffer.alloc(1);
    await this.handle.read(one, 0, 1, offset);
    return one[0];
  }
}

/**
 * Wakes the follower when the log changes or reading should stop. It watches the directory, not the file, so
 * a log that conmon replaces keeps being followed; a change flag covers changes made while records were read.
 */
class ChangeFollower {
  stopRequested = false;
  private changed = false;
  private wake: (() => void) | null = null;
  private readonly watcher: FSWatcher;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.stop();

  constructor(path: string, options: ReadLogOptions) {
    const name = basename(path);
    this.watcher = watch(dirname(path), (_event, filename) => {
      if (filename === null || filename.toString() === name) this.notify();
    });
    this.watcher.on('error', () => this.stop());
    options.stopWhen?.then(
      () => this.stop(),
      () => this.stop(),
    );
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.signal = options.signal;
  }

  nextChange(): Promise<void> {
    if (this.changed || this.stopRequested) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        this.changed = false;
        resolve();
      };
    });
  }

  close(): void {
    this.watcher.close();
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }

  private stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }
}
