import { writev } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';

const writevFd = promisify(writev);

/** Chunks waiting for the write in progress: at most this many bytes... */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** ...and this many chunks, so a trickle of tiny chunks stays within one writev. */
const WRITE_BATCH_CHUNKS = 256;

/**
 * Writes a stream's chunks at the file's position as they come: a chunk goes out at once when no write
 * is in progress (the bytes reach the file promptly), and the chunks that arrive meanwhile go together
 * in one writev after it, so one threadpool write carries many socket or tar chunks instead of one
 * awaited write each. Reading pauses while WRITE_BATCH_BYTES wait: memory stays bounded. Resolves with
 * the bytes written once every write is done; nothing is still writing when it settles. `file` is an
 * open handle or descriptor.
 */
export async function writeCoalesced(file: FileHandle | number, data: AsyncIterable<Buffer>): Promise<number> {
  const write = async (buffers: Buffer[]): Promise<number> => (await (typeof file === 'number' ? writevFd(file, buffers) : file.writev(buffers))).bytesWritten;
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
    writing = writeAll(write, buffers).then(
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
      if (chunk.length === 0) continue;
      waiting.push(chunk);
      waitingBytes += chunk.length;
      if (writing === undefined) writeWaiting();
      else if (waitingBytes >= WRITE_BATCH_BYTES || waiting.length >= WRITE_BATCH_CHUNKS) await writing;
    }
    // A write in progress takes up whatever waits behind it when it is done.
    await settled();
    if (failure !== undefined) throw failure.error;
  } catch (err) {
    await settled();
    throw err;
  }
  return written;
}

/** Writes every byte of `buffers` at the file's position, however many writev calls that takes. */
async function writeAll(write: (buffers: Buffer[]) => Promise<number>, buffers: Buffer[]): Promise<void> {
  const rest = [...buffers];
  while (rest.length > 0) {
    let bytesWritten = await write(rest);
    if (bytesWritten === 0) throw new Error('the file took none of the bytes written to it');
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}
