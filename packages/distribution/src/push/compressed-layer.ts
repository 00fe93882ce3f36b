import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createDigester } from '@berth/reference';
import { gzipLayer, type ReadInto } from './layer-gzip.js';

/** A layer as a registry stores it: gzip of its tar, by digest and size. */
export interface CompressedBlob {
  digest: string;
  size: number;
}

/**
 * The layer tar in the file at `path`, gzipped as it is read, for an upload that streams it; the
 * digest and size of what went out are known once the stream has ended. `onRead` hears the tar's
 * bytes read so far. The file is opened when the stream is first read, and closed when it ends or is
 * destroyed.
 */
export function compressedLayer(path: string, onRead: (bytes: number) => void = () => undefined): { stream: Readable; blob(): CompressedBlob } {
  let blob: CompressedBlob | undefined;
  async function* hashed(): AsyncGenerator<Buffer> {
    const handle = await open(path, 'r');
    try {
      const digester = createDigester();
      let size = 0;
      for await (const chunk of gzipLayer(fileReader(handle, onRead))) {
        digester.update(chunk);
        size += chunk.length;
        yield chunk;
      }
      blob = { digest: digester.digest(), size };
    } finally {
      await handle.close();
    }
  }
  return {
    stream: Readable.from(hashed(), { objectMode: false }),
    blob: () => {
      if (blob === undefined) throw new Error('the compressed layer was not read to its end');
      return blob;
    },
  };
}

/** Reads the file on from where it is, one `readv` per call while the file gives whole buffers; `onRead` hears the bytes read so far. */
export function fileReader(handle: Pick<FileHandle, 'readv'>, onRead: (bytes: number) => void): ReadInto {
  let total = 0;
  return async (buffers) => {
    let got = 0;
    let rest = buffers;
    while (rest.length > 0) {
      const { bytesRead } = await handle.readv(rest);
      if (bytesRead === 0) break;
      got += bytesRead;
      rest = unfilled(rest, bytesRead);
    }
    total += got;
    if (got > 0) onRead(total);
    return got;
  };
}

/** What is left of `buffers` once their first `bytes` have been filled. */
function unfilled(buffers: Buffer[], bytes: number): Buffer[] {
  let index = 0;
  let left = bytes;
  while (index < buffers.length && left >= buffers[index]!.length) left -= buffers[index++]!.length;
  const rest = buffers.slice(index);
  if (left > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
