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
  return parseRecord(Buffer.concat([line, Buffer.of(NEWLINE)]), 0, line.length);
}

/** The last timestamp parsed: conmon stamps every line of one read with the same time. */
let lastTimestampBytes = Buffer.alloc(0);
let lastTimestamp = '';
let lastTime = new Date(0);

const FLAG_PARTIAL = 0x50;
const FLAG_FULL = 0x46;
const STDOUT = Buffer.from('stdout');
const STDERR = Buffer.from('stderr');

function streamAt(buffer: Buffer, start: number, end: number): LogRecord['stream'] | null {
  if (end - start !== STDOUT.length) return null;
  if (buffer.compare(STDOUT, 0, STDOUT.length, start, end) === 0) return 'stdout';
  if (buffer.compare(STDERR, 0, STDERR.length, start, end) === 0) return 'stderr';
  return null;
}

/**
 * Parses the record in `buffer[start, end)`, where `buffer[end]` is its `\n`. A complete line's data is a
 * view of `buffer` including that newline, so large logs are read without copying each line.
 */
function parseRecord(buffer: Buffer, start: number, end: number): LogRecord | null {
  const first = buffer.indexOf(SPACE, start);
  const second = first < 0 || first >= end ? -1 : buffer.indexOf(SPACE, first + 1);
  if (second < 0 || second >= end) return null;
  const thirdFound = buffer.indexOf(SPACE, second + 1);
  // A record with empty content may lack the separator after its flag.
  const third = thirdFound < 0 || thirdFound >= end ? -1 : thirdFound;
  const flagEnd = third < 0 ? end : third;
  // Compared as bytes, not strings: this runs once per line of logs that can be gigabytes long.
  const stream = streamAt(buffer, first + 1, second);
  const flag = flagEnd === second + 2 ? buffer[second + 1] : -1;
  if (!stream || (flag !== FLAG_PARTIAL && flag !== FLAG_FULL)) return null;
  if (lastTimestampBytes.length !== first - start || buffer.compare(lastTimestampBytes, 0, lastTimestampBytes.length, start, first) !== 0) {
    lastTimestampBytes = Buffer.from(buffer.subarray(start, first));
    lastTimestamp = lastTimestampBytes.toString('latin1');
    lastTime = new Date(lastTimestamp);
  }
  const time = lastTime;
  const timestamp = lastTimestamp;
  if (Number.isNaN(time.getTime())) return null;
  const contentStart = third < 0 ? end : third + 1;
  const partial = flag === FLAG_PARTIAL;
  return { stream, time, timestamp, partial, data: buffer.subarray(contentStart, partial ? end : end + 1) };
}

/** Reads a conmon k8s-file log as records, optionally following it as conmon appends. */
export async function* readContainerLog(path: string, options: ReadLogOptions = {}): AsyncIterable<LogRecord> {
  for await (const batch of readContainerLogBatches(path, options)) yield* batch;
}

/** readContainerLog in batches of what one read returned: far fewer awaits for large logs. */
export async function* readContainerLogBatches(path: string, options: ReadLogOptions = {}): AsyncIterable<LogRecord[]> {
  const reader = await LogReader.open(path);
  if (!reader) return;
  try {
    if (options.tail !== undefined && options.tail >= 0) await reader.seekToLastRecords(options.tail);
    /** The records to pass on, and whether `until` was reached. */
    const accept = (records: LogRecord[]): { batch: LogRecord[]; done: boolean } => {
      const batch: LogRecord[] = [];
      for (const record of records) {
        if (options.until && record.time > options.until) return { batch, done: true };
        if (options.since && record.time < options.since) continue;
        batch.push(record);
      }
      return { batch, done: false };
    };
    if (!options.follow) {
      for (;;) {
        const records = await reader.readSome();
        if (records === null) return;
        const { batch, done } = accept(records);
        if (batch.length) yield batch;
        if (done) return;
      }
    }
    const follower = new ChangeFollower(path, options);
    try {
      for (;;) {
        const stopping = follower.stopRequested;
        for (;;) {
          const records = await reader.readSome();
          if (records === null) break;
          if (options.signal?.aborted) return;
          const { batch, done } = accept(records);
          if (batch.length) yield batch;
          if (done) return;
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

  /** The records of the next chunk of the file; null at its current end. */
  async readSome(): Promise<LogRecord[] | null> {
    const chunk = Buffer.allocUnsafe(CHUNK_SIZE);
    for (;;) {
      const { bytesRead } = await this.handle.read(chunk, 0, CHUNK_SIZE, this.position);
      if (bytesRead === 0) return null;
      this.position += bytesRead;
      const data = Buffer.concat([this.pending, chunk.subarray(0, bytesRead)]);
      const records: LogRecord[] = [];
      let start = 0;
      let newline: number;
      while ((newline = data.indexOf(NEWLINE, start)) >= 0) {
        const record = parseRecord(data, start, newline);
        if (record) records.push(record);
        start = newline + 1;
      }
      this.pending = data.subarray(start);
      if (records.length) return records;
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
