import type { FileHandle } from 'node:fs/promises';
import { copyFile, link, open, stat } from 'node:fs/promises';
import { InternalError } from '@berth/api';
import { CoalescedWriter } from './coalesced-write.js';

/** How a layer's uncompressed tar is kept while the layer is extracted: fed every byte, then made durable. */
export interface KeptLayerTar {
  write(chunk: Buffer): void;
  finish(): Promise<void>;
  close(): Promise<void>;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Keeps a file that already holds exactly the uncompressed stream (an uncompressed layer in a
 * staged archive): hard-linked, or copied across filesystems, instead of written a second time.
 */
export class AdoptedLayerTar implements KeptLayerTar {
  private bytes = 0;

  constructor(
    private readonly source: string,
    private readonly target: string,
  ) {}

  write(chunk: Buffer): void {
    this.bytes += chunk.length;
  }

  async finish(): Promise<void> {
    const { size } = await stat(this.source);
    if (size !== this.bytes) {
      throw new InternalError(`layer tar ${this.source} holds ${size} bytes, but ${this.bytes} were extracted from it`);
    }
    try {
      await link(this.source, this.target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(this.source, this.target);
    }
    await syncFile(this.target);
  }

  async close(): Promise<void> {
    // Nothing is held open.
  }
}

/**
 * Copies the uncompressed layer stream to a file while it is being extracted. The extractor feeds
 * bytes synchronously; they land in order, many chunks to a write, and the first failure is kept.
 */
export class LayerTarWriter implements KeptLayerTar {
  private readonly writer: CoalescedWriter;

  private constructor(private readonly handle: FileHandle) {
    this.writer = new CoalescedWriter(handle);
  }

  static async create(path: string): Promise<LayerTarWriter> {
    return new LayerTarWriter(await open(path, 'wx', 0o600));
  }

  /** `chunk` is a stream's chunk, never reused by its producer: it is written as it is, not copied. */
  write(chunk: Buffer): void {
    this.writer.write(chunk);
  }

  /** Waits for every write and makes the file durable. */
  async finish(): Promise<void> {
    await this.writer.flush();
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.writer.flush().catch(() => undefined);
    await this.handle.close();
  }
}
