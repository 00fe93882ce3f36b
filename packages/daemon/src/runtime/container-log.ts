import type { FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface LogRecord {
  stream: 'stdout' | 'stderr';
  time: Date;
  /** The record's RFC3339Nano timestamp as conmon wrote it (nanosecond precision for `docker logs -t`). */
  timestamp: string;
  /** The line continues in the next record of the same stream (conmon's `P`). */
  partial: boolean;
  /** The bytes, with the line's `\n` restored for complete lines. */
  data: Buffer;
}

export interface ReadLogOptions {
  follow?: boolean;
  since?: Date;
  until?: Date;
  /** Only the last `tail` records (before since/until filtering, as Docker does). */
  tail?: number;
  /** When following: read what is left, then end once this settles (e.g. the container's exit). */
  stopWhen?: Promise<unknown>;
  /** When following: end now. */
  signal?: AbortSignal;
}

const CHUNK_SIZE = 64 * 1024;
const NEWLINE = 0x0a;
const SPACE = 0x20;

/** Parses one k8s-file line (without its `\n`): `<RFC3339Nano> <stdout|stderr> <P|F> <bytes>`. */
export function parseLogLine(line: Buffer): LogRecord | null {
  const first = line.indexOf(SPACE);
  const second = first < 0 ? -1 : line.indexOf(SPACE, first + 1);
  const third = second < 0 ? -1 : line.indexOf(SPACE, second + 1);
  // A record with empty content may lack the separator after its flag.
  const flagEnd = third < 0 ? line.length : third;
  if (second < 0) return null;
  const timestamp = line.toString('latin1', 0, first);
  const stream = line.toString('latin1', first + 1, second);
  const flag = line.toString('latin1', second + 1, flagEnd);
  const time = new Date(timestamp);
  if ((stream !== 'stdout' && stream !== 'stderr') || (flag !== 'P' && flag !== 'F') || Number.isNaN(time.getTime())) {
    return null;
  }
  const content = third < 0 ? Buffer.alloc(0) : line.subarray(third + 1);
  const partial = flag === 'P';
  return { stream, time, timestamp, partial, data: partial ? Buffer.from(content) : Buffer.concat([content, Buffer.of(NEWLINE)]) };
}

/** Reads a conmon k8s-file log as records, optionally following it as conmon appends. */
export async function* readContainerLog(path: string, options: ReadLogOptions = {}): AsyncIterable<LogRecord> {
  const reader = await LogReader.open(path);
  if (!reader) return;
  try {
    if (options.tail !== undefined && options.tail >= 0) await reader.seekToLastRecords(options.tail);
    const accept = (record: LogRecord): 'yield' | 'skip' | 'stop' => {
      if (options.until && record.time > options.until) return 'stop';
      if (options.since && record.time < options.since) return 'skip';
      return 'yield';
    };
    if (!options.follow) {
      for (const record of await reader.readAvailable()) {
        const verdict = accept(record);
        if (verdict === 'stop') return;
        if (verdict === 'yield') yield record;
      }
      return;
    }
    const follower = new ChangeFollower(path, options);
    try {
      for (;;) {
        const stopping = follower.stopRequested;
        for (const record of await reader.readAvailable()) {
          if (options.signal?.aborted) return;
          const verdict = accept(record);
          if (verdict === 'stop') return;
          if (verdict === 'yield') yield record;
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

/** Reads complete lines from a position, keeping an incomplete last line until conmon finishes it. */
class LogReader {
  private position = 0;
  private pending = Buffer.alloc(0);

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
    const chunk = Buffer.alloc(CHUNK_SIZE);
    while (end > 0) {
      const start = Math.max(0, end - CHUNK_SIZE);
      const { bytesRead } = await this.handle.read(chunk, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (chunk[i] !== NEWLINE) continue;
        seen += 1;
        if (seen === count) {
          this.position = start + i + 1;
          return;
        }
      }
      end = start;
    }
    this.position = 0;
  }

  /** Everything appended since the last call, as records. */
  async readAvailable(): Promise<LogRecord[]> {
    const records: LogRecord[] = [];
    const chunk = Buffer.alloc(CHUNK_SIZE);
    for (;;) {
      const { bytesRead } = await this.handle.read(chunk, 0, CHUNK_SIZE, this.position);
      if (bytesRead === 0) return records;
      this.position += bytesRead;
      let data = Buffer.concat([this.pending, chunk.subarray(0, bytesRead)]);
      let newline: number;
      while ((newline = data.indexOf(NEWLINE)) >= 0) {
        const record = parseLogLine(data.subarray(0, newline));
        if (record) records.push(record);
        data = data.subarray(newline + 1);
      }
      this.pending = Buffer.from(data);
    }
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
    this.pending = Buffer.alloc(0);
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
