import type { FileHandle } from 'node:fs/promises';
import type { Pack } from 'tar-stream';

export type PackHeader = Parameters<Pack['entry']>[0];

const CHUNK = 256 * 1024;

type EntryStream = ReturnType<Pack['entry']>;

/** Resolves once the entry takes more data; rejects if it or the whole archive was torn down (its reader went away). */
function drained(pack: Pack, entry: EntryStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (entry.destroyed || pack.destroyed) {
      reject(new Error('tar entry destroyed'));
      return;
    }
    const done = (): void => {
      entry.off('drain', done);
      entry.off('close', done);
      pack.off('close', done);
      if (entry.destroyed || pack.destroyed) reject(new Error('tar entry destroyed'));
      else resolve();
    };
    entry.on('drain', done);
    entry.on('close', done);
    pack.on('close', done);
  });
}

/**
 * Streams `content`, exactly the `header.size` bytes the header promises, into a new tar entry, keeping
 * backpressure: nothing is buffered whole. tar-stream's entries are streamx streams, which node's
 * `pipeline` misreads, hence the explicit loop.
 */
export async function packEntry(pack: Pack, header: PackHeader, content: AsyncIterable<Buffer>): Promise<void> {
  // A pack already torn down never calls a new entry back, nor closes again.
  if (pack.destroyed) throw new Error('tar entry destroyed');
  let settle!: (err?: Error | null) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  // Awaited at the end; a failure while the content is still being read must not count as unhandled meanwhile.
  written.catch(() => undefined);
  const entry = pack.entry(header, (err) => settle(err));
  // A pack destroyed mid-entry does not always call the entry back: its reader leaving must end this too.
  const onPackClose = (): void => settle(new Error('tar entry destroyed'));
  pack.once('close', onPackClose);
  // The pack reports a failure through the callback; the entry's own 'error' must not go unhandled.
  entry.on('error', () => undefined);
  try {
    for await (const chunk of content) {
      if (!entry.write(chunk)) await drained(pack, entry);
    }
    entry.end(Buffer.alloc(0));
    await written;
  } catch (err) {
    entry.destroy(err as Error);
    throw err;
  } finally {
    pack.off('close', onPackClose);
  }
}

/**
 * Streams an open file into a tar entry of exactly `header.size` bytes, the size its header promised:
 * a file that grew since it was measured is cut there, one that shrank is padded with zeros. Anything
 * else would shift every following header, letting the file's content forge entries of its own.
 */
export function packFile(pack: Pack, header: PackHeader, file: FileHandle): Promise<void> {
  return packEntry(pack, header, sizedContent(file, header.size ?? 0));
}

async function* sizedContent(file: FileHandle, size: number): AsyncGenerator<Buffer> {
  let position = 0;
  while (position < size) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    yield chunk.subarray(0, bytesRead);
  }
  while (position < size) {
    const zeros = Buffer.alloc(Math.min(CHUNK, size - position));
    position += zeros.length;
    yield zeros;
  }
}
