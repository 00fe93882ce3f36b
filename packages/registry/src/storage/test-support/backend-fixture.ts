import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { afterEach, beforeEach } from 'vitest';
import { StorageBackend } from '../backend.js';
import { FilesystemDriver } from '../filesystem-driver.js';

export interface BackendFixture {
  root: string;
  backend: StorageBackend;
  cleanup(): Promise<void>;
}

/** A backend over the filesystem driver in a fresh temp directory. */
export async function makeBackend(deleteEnabled = false): Promise<BackendFixture> {
  const root = await mkdtemp(join(tmpdir(), 'berth-registry-backend-'));
  const backend = new StorageBackend(new FilesystemDriver(root), { deleteEnabled });
  return { root, backend, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A fresh backend for each test of the enclosing describe, removed after it. */
export function useBackend(): { readonly backend: StorageBackend; readonly root: string } {
  let current: BackendFixture | undefined;
  beforeEach(async () => {
    current = await makeBackend();
  });
  afterEach(() => current?.cleanup());
  const fixture = (): BackendFixture => {
    if (current === undefined) throw new Error('useBackend() is read only inside a test');
    return current;
  };
  return {
    get backend() {
      return fixture().backend;
    },
    get root() {
      return fixture().root;
    },
  };
}

export function stream(...chunks: Array<string | Buffer>): Readable {
  return Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
}

/** Uploads `content` monolithically into `repository` and returns its digest. */
export async function pushBlob(backend: StorageBackend, repository: string, content: string | Buffer): Promise<string> {
  const digest = sha256Digest(content);
  const upload = await backend.startUpload(repository);
  await backend.completeUpload(repository, upload.id, digest, stream(content));
  return digest;
}

export function descriptorOf(mediaType: string, content: string | Buffer): { mediaType: string; digest: string; size: number } {
  return { mediaType, digest: sha256Digest(content), size: Buffer.byteLength(content) };
}

/** An OCI image manifest over a config and layers already pushed; `extra` adds fields such as subject. */
export function imageManifest(config: string, layers: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: descriptorOf(MediaTypes.OciConfig, config),
      layers: layers.map((layer) => descriptorOf(MediaTypes.OciLayerGzip, layer)),
      ...extra,
    }),
  );
}

/** Pushes a config and one layer, then an image manifest over them under `reference`. */
export async function pushImage(
  backend: StorageBackend,
  repository: string,
  reference: string,
  seed: string,
  extra: Record<string, unknown> = {},
): Promise<{ digest: string; content: Buffer }> {
  const config = `{"config":"${seed}"}`;
  const layer = `layer of ${seed}`;
  await pushBlob(backend, repository, config);
  await pushBlob(backend, repository, layer);
  const content = imageManifest(config, [layer], extra);
  const { digest } = await backend.putManifest(repository, reference, content, MediaTypes.OciManifest);
  return { digest, content };
}
