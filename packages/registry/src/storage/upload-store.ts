import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createDigester, type Digester } from '@berth/reference';
import type { UploadState } from '../registry-backend.js';
import { RegistryError } from '../registry-error.js';
import type { BlobStore } from './blob-store.js';
import { KeyedLock } from './keyed-lock.js';
import { blobDataPath, uploadDataPath, uploadPath, uploadStartedAtPath } from './paths.js';
import { PathNotFoundError, type StorageDriver } from './storage-driver.js';

/** The source's chunks, fed to the digester on the way through (errors propagate). */
async function* digesting(source: Readable, digester: Digester): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    digester.update(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/**
 * Upload sessions under `_uploads/<id>/` (`data` and `startedat`, as the Go registry keeps them), so
 * they survive a restart. Content becomes a blob only once it hashes to the digest the client names.
 */
export class UploadStore {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
  ) {}

  async start(repository: string): Promise<UploadState> {
    const id = randomUUID();
    const startedAt = new Date();
    await this.driver.putContent(uploadStartedAtPath(repository, id), Buffer.from(startedAt.toISOString()));
    await this.driver.putContent(uploadDataPath(repository, id), Buffer.alloc(0));
    return { id, size: 0, startedAt };
  }

  async state(repository: string, id: string): Promise<UploadState> {
    let startedAt: Buffer;
    try {
      startedAt = await this.driver.getContent(uploadStartedAtPath(repository, id));
    } catch (err) {
      if (err instanceof PathNotFoundError) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { id });
      throw err;
    }
    const size = (await this.driver.stat(uploadDataPath(repository, id)))?.size ?? 0;
    return { id, size, startedAt: new Date(startedAt.toString('utf8').trim()) };
  }

  append(repository: string, id: string, data: Readable, start?: number): Promise<UploadState> {
    return this.lock.run(`${repository}/${id}`, async () => {
      const state = await this.state(repository, id);
      if (start !== undefined && start !== state.size) {
        throw new RegistryError('RANGE_INVALID', `chunk starts at ${start}, but the upload has ${state.size} bytes`, { size: state.size });
      }
      return { ...state, size: await this.driver.append(uploadDataPath(repository, id), data) };
    });
  }

  complete(repository: string, id: string, digest: string, last?: Readable): Promise<{ size: number }> {
    return this.lock.run(`${repository}/${id}`, async () => {
      const state = await this.state(repository, id);
      const dataPath = uploadDataPath(repository, id);
      let actual: string;
      let size: number;
      if (last !== undefined && state.size === 0) {
        // A monolithic upload is hashed as it is written: one pass over the bytes.
        const digester = createDigester();
        size = await this.driver.append(dataPath, Readable.from(digesting(last, digester)));
        actual = digester.digest();
      } else {
        size = last === undefined ? state.size : await this.driver.append(dataPath, last);
        actual = await this.hash(dataPath);
      }
      if (actual !== digest) {
        throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, actual });
      }
      const stored = (await this.blobs.contentSize(digest)) !== undefined;
      if (!stored) await this.driver.move(dataPath, blobDataPath(digest));
      await this.blobs.link(repository, digest);
      // A garbage collection running beside the server may have taken the content it found; this data replaces it.
      if (stored && (await this.blobs.contentSize(digest)) === undefined) await this.driver.move(dataPath, blobDataPath(digest));
      await this.driver.delete(uploadPath(repository, id));
      return { size };
    });
  }

  cancel(repository: string, id: string): Promise<void> {
    return this.lock.run(`${repository}/${id}`, async () => {
      await this.state(repository, id);
      await this.driver.delete(uploadPath(repository, id));
    });
  }

  /** Streams the upload's data through sha256. */
  private async hash(path: string): Promise<string> {
    const digester = createDigester();
    for await (const chunk of await this.driver.reader(path)) digester.update(chunk as Buffer);
    return digester.digest();
  }
}
