import { createReadStream } from 'node:fs';
import type { Pack } from 'tar-stream';

export type PackHeader = Parameters<Pack['entry']>[0];

/**
 * Streams a file into a tar entry of `header.size` bytes, honouring backpressure. tar-stream's
 * entries are streamx streams, which node's `pipeline` misreads, hence the explicit loop.
 */
export async function addFileToPack(pack: Pack, header: PackHeader, path: string): Promise<void> {
  let settle!: (err?: Error | null) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  // Awaited at the end; a failure while the file is still being read must not count as unhandled meanwhile.
  written.catch(() => undefined);
  const entry = pack.entry(header, (err) => settle(err));
  // A pack torn down by its reader (a client that left) destroys the entry: `written` reports that, not an
  // unhandled 'error' event, and the file is closed instead of waiting for a drain that never comes.
  entry.on('error', () => undefined);
  const size = header.size ?? 0;
  if (size > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: size - 1 })) {
      if (entry.destroyed) break;
      if (!entry.write(chunk as Buffer) && !entry.destroyed) await drainedOrClosed(entry);
    }
  }
  entry.end(Buffer.alloc(0));
  await written;
}

function drainedOrClosed(entry: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      entry.off('drain', done);
      entry.off('close', done);
      resolve();
    };
    entry.on('drain', done);
    entry.on('close', done);
  });
}
