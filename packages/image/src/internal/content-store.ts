import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import { parseDigest, sha256Digest } from '@berth/reference';
import { prepareAtomicDir, writeFileAtomic } from '@berth/layer';

/** Blobs by digest under `<root>/blobs/sha256/<hex>`; a blob is visible only once verified and durable. */
export class ContentStore {
  private readonly dir: string;

  private constructor(root: string) {
    this.dir = join(root, 'blobs', 'sha256');
  }

  static async open(root: string): Promise<ContentStore> {
    const store = new ContentStore(root);
    await prepareAtomicDir(store.dir);
    return store;
  }

  /** Stores `data` under its sha256 digest after checking it equals `expected`; returns the digest. */
  async put(data: Buffer, expected: string): Promise<string> {
    const actual = sha256Digest(data);
    if (actual !== expected) {
      throw new InvalidArgumentError(`digest mismatch: expected ${expected}, got ${actual}`);
    }
    await writeFileAtomic(this.pathOf(actual), data);
    return actual;
  }

  async get(digest: string): Promise<Buffer> {
    return readFile(this.pathOf(digest));
  }

  async delete(digest: string): Promise<void> {
    await rm(this.pathOf(digest), { force: true });
  }

  /** Digests of every stored blob. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((name) => /^[a-f0-9]{64}$/.test(name)).map((hex) => `sha256:${hex}`);
  }

  private pathOf(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    if (algorithm !== 'sha256') throw new InvalidArgumentError(`unsupported digest algorithm: ${algorithm}`);
    return join(this.dir, hex);
  }
}
