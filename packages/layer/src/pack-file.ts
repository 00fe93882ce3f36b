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
  const entry = pack.entry(header, (err) => settle(err));
  const size = header.size ?? 0;
  if (size > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: size - 1 })) {
      if (!entry.write(chunk as Buffer)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
    }
  }
  entry.end(Buffer.alloc(0));
  await written;
}
