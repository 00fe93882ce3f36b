import type { FileHandle } from 'node:fs/promises';
import { copyFile, link, open, stat } from 'node:fs/promises';
import { InternalError } from '@berth/api';

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
 * bytes synchronously; writes are chained so they land in order, and the first failure is kept.
 */
export class LayerTarWriter implements KeptLayerTar {
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<LayerTarWriter> {
    return new LayerTarWriter(await open(path, 'wx', 0o600));
  }

  /** `chunk` is a stream's chunk, never reused by its producer: it is written as it is, not copied. */
  write(chunk: Buffer): void {
    this.pending = this.pending.then(async () => {
      if (this.failure !== undefined) return;
      try {
        let offset = 0;
        while (offset < chunk.length) offset += (await this.handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
      } catch (err) {
        this.failure = err;
      }
    });
  }

  /** Waits for every write and makes the file durable. */
  async finish(): Promise<void> {
    await this.pending;
    if (this.failure !== undefined) throw this.failure;
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.pending;
    await this.handle.close();
  }
}
