import { Readable } from 'node:stream';
import type { Pack } from 'tar-stream';
import { packEntry, type PackHeader } from '@berth/layer';

/** Adds an entry whose content is in memory, or none (directory, symlink, hardlink, FIFO). */
export function addEntry(pack: Pack, header: PackHeader, content: Buffer = Buffer.alloc(0)): Promise<void> {
  if (pack.destroyed) return Promise.reject(new Error('archive reader went away'));
  return new Promise((resolve, reject) => pack.entry(header, content, (err) => (err ? reject(err) : resolve())));
}

/**
 * Streams `content` (exactly `header.size` bytes, as a tar entry being read provides) into a new
 * entry; backpressure is kept, nothing is buffered whole.
 */
export function addStreamedEntry(pack: Pack, header: PackHeader, content: AsyncIterable<Buffer>): Promise<void> {
  return packEntry(pack, header, content);
}

/** The pack as a node stream (consumers pipe it with node's machinery, which misreads streamx). */
export function packStream(pack: Pack): Readable {
  return Readable.from(pack as AsyncIterable<Buffer>);
}
