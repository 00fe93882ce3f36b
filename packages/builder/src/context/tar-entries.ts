import { Readable } from 'node:stream';
import type { Pack } from 'tar-stream';
import type { PackHeader } from '@berth/layer';

type EntryStream = ReturnType<Pack['entry']>;

/** Resolves once `entry` takes more data; rejects when it or the archive was torn down. */
function drained(pack: Pack, entry: EntryStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      entry.off('drain', done);
      entry.off('close', done);
      pack.off('close', done);
      if (entry.destroyed || pack.destroyed) reject(new Error('tar entry destroyed'));
      else resolve();
    };
    if (entry.destroyed || pack.destroyed) {
      done();
      return;
    }
    entry.on('drain', done);
    entry.on('close', done);
    pack.on('close', done);
  });
}

/** Adds an entry whose content is in memory, or none (directory, symlink, hardlink, FIFO). */
export function addEntry(pack: Pack, header: PackHeader, content: Buffer = Buffer.alloc(0)): Promise<void> {
  if (pack.destroyed) return Promise.reject(new Error('archive reader went away'));
  return new Promise((resolve, reject) => pack.entry(header, content, (err) => (err ? reject(err) : resolve())));
}

/**
 * Streams `content` (exactly `header.size` bytes, as a tar entry being read provides) into a new
 * entry, handing each chunk to `onChunk` too; backpressure is kept, nothing is buffered whole.
 */
export async function addStreamedEntry(pack: Pack, header: PackHeader, content: AsyncIterable<Buffer>, onChunk?: (chunk: Buffer) => void): Promise<void> {
  if (pack.destroyed) throw new Error('archive reader went away');
  let settle!: (err?: Error | null) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  written.catch(() => undefined);
  const entry = pack.entry(header, (err) => settle(err));
  const onPackClose = (): void => settle(new Error('tar entry destroyed'));
  pack.once('close', onPackClose);
  entry.on('error', () => undefined);
  try {
    for await (const chunk of content) {
      onChunk?.(chunk);
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

/** The pack as a node stream (consumers pipe it with node's machinery, which misreads streamx). */
export function packStream(pack: Pack): Readable {
  return Readable.from(pack as AsyncIterable<Buffer>);
}
