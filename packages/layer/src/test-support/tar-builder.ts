import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

export type TarEntry = Partial<Header> & { name: string; content?: string | Buffer };

const FIXED_MTIME = new Date('2024-01-02T03:04:05Z');

/** A tar archive of `entries`, in order, exactly as written (hostile names included). */
export async function buildTar(entries: TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  })();
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const full = { mtime: FIXED_MTIME, ...header };
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content === undefined) archive.entry(full, done);
      else archive.entry(full, content, done);
    });
  }
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function gzip(data: Buffer): Buffer {
  return gzipSync(data);
}

export function streamOf(data: Buffer): Readable {
  return Readable.from([data]);
}
