import { writev } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';

const writevFd = promisify(writev);

/**
 * A writer is `full` with this many bytes waiting for the write in progress (a producer that then waits
 * for `drained`, as writeCoalesced does, keeps at most that much in memory)...
 */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** ...or this many chunks, so a trickle of tiny chunks stays within one writev. */
const WRITE_BATCH_CHUNKS = 256;

/**
 * Writes chunks at the file's position in the order they are given: a chunk goes out at once when no
 * write is in progress (the bytes reach the file promptly), and the chunks given meanwhile go together
 * in one writev after it, so one threadpool write carries many socket or tar chunks instead of one
 * write each. The first failure is kept; later chunks are dropped and `flush` throws it.
 */
export class CoalescedWriter {
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private bytesWritten = 0;

  constructor(private readonly file: FileHandle | number) {}

  /** Queues `chunk`, never reused by its producer: it is written as it is, not copied. */
  write(chunk: Buffer): void {
    if (this.failure !== undefined || chunk.length === 0) return;
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.writing === undefined) this.writeWaiting();
  }

  /** Whether a producer that can wait should, until `drained`: more than a batch waits behind the write in progress. */
  get full(): boolean {
    return this.waitingBytes >= WRITE_BATCH_BYTES || this.waiting.length >= WRITE_BATCH_CHUNKS;
  }

  /** Resolves when the write in progress is done (the waiting chunks then start theirs). */
  async drained(): Promise<void> {
    await this.writing;
  }

  /** Waits until everything given is written; throws the first failure. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Bytes that reached the file. */
  get written(): number {
    return this.bytesWritten;
  }

  /** The failure that stopped the writes, if one did. */
  get error(): { error: unknown } | undefined {
    return this.failure;
  }

  private writeWaiting(): void {
    const buffers = this.waiting;
    const bytes = this.waitingBytes;
    this.waiting = [];
    this.waitingBytes = 0;
    // Never rejects: a failure is kept for `flush`.
    this.writing = writeAll(this.file, buffers).then(
      () => {
        this.bytesWritten += bytes;
        if (this.waiting.length > 0 && this.failure === undefined) this.writeWaiting();
        else this.writing = undefined;
      },
      (error: unknown) => {
        this.failure = { error };
        this.waiting = [];
        this.waitingBytes = 0;
        this.writing = undefined;
      },
    );
  }
}

/**
 * Writes a stream's chunks with a CoalescedWriter; reading pauses while more than a batch waits, so
 * memory stays bounded. Resolves with the bytes written once every write is done; nothing is still
 * writing when it settles. `file` is an open handle or descriptor.
 */
export async function writeCoalesced(file: FileHandle | number, data: AsyncIterable<Buffer>): Promise<number> {
  const writer = new CoalescedWriter(file);
  try {
    for await (const chunk of data) {
      const failure = writer.error;
      if (failure !== undefined) throw failure.error;
      writer.write(chunk);
      if (writer.full) await writer.drained();
    }
  } catch (err) {
    await writer.flush().catch(() => undefined);
    throw err;
  }
  await writer.flush();
  return writer.written;
}

/** Writes every byte of `buffers` at the file's position, however many writev calls that takes. */
async function writeAll(file: FileHandle | number, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let { bytesWritten } = await (typeof file === 'number' ? writevFd(file, rest) : file.writev(rest));
    if (bytesWritten === 0) throw new Error('the file took none of the bytes written to it');
    let done = 0;
    while (done < rest.length && bytesWritten >= rest[done]!.length) bytesWritten -= rest[done++]!.length;
    rest = rest.slice(done);
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}
