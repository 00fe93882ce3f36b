import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';
import { chainIdOf, type PreparedLayer } from '@berth/layer';
import { MediaTypes } from '@berth/oci';
import { parseNormalizedNamed, sha256Digest } from '@berth/reference';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LayerSources } from '../layer-sources.js';
import type { RegistryClient } from '../registry-client.js';
import type { BlobDownloads } from './blob-downloads.js';
import { ExtractionClaims } from './extraction-claims.js';
import { pullImage, type PullImageOptions, type PullTarget } from './pull-image.js';

// The registry and the download cache are stand-ins: what is under test is when the store gets each layer.
const contents = ['bottom layer', 'middle layer', 'top layer'].map((text) => Buffer.from(text));
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: contents.map((c) => sha256Digest(c)) } }));
const layers = contents.map((c) => ({ mediaType: MediaTypes.DockerLayerGzip, digest: sha256Digest(c), size: c.length }));
const manifest = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.DockerManifest, config: { mediaType: MediaTypes.DockerConfig, digest: sha256Digest(config), size: config.length }, layers }),
);
const client = {
  getManifest: async () => ({ mediaType: MediaTypes.DockerManifest, digest: sha256Digest(manifest), size: manifest.length, content: manifest }),
  getBlob: async () => ({ size: config.length, stream: Readable.from([config]) }),
} as unknown as RegistryClient;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-pull-image-'));
  for (const [index, content] of contents.entries()) await writeFile(join(dir, String(index)), content);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A stand-in for the store's extraction: the layer's content, read whole. */
async function prepareLayer(stream: Readable): Promise<PreparedLayer & { content: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const content = Buffer.concat(chunks);
  return { diffId: sha256Digest(content), size: content.length, content: content.toString(), discard: async () => undefined };
}

/** `registry.example:5000/app:v1` pulled from the stand-in registry into `target`. */
const pull = (options: Pick<PullImageOptions, 'target' | 'downloads' | 'sources' | 'onProgress'>) =>
  pullImage({ client, registry: 'registry.example:5000', reference: parseNormalizedNamed('registry.example:5000/app:v1'), repository: 'app', platform: { os: 'linux', architecture: 'amd64' }, explicitPlatform: false, ...options });

describe('pullImage', () => {
  it('stores each layer as soon as it and those below it are downloaded, bottom first', async () => {
    let bottomStored!: () => void;
    const bottomStoredPromise = new Promise<void>((resolve) => (bottomStored = resolve));
    // The top layer's download finishes only once the bottom layer is in the store: waiting for every download first never ends.
    const indexOf = (digest: string) => layers.findIndex((layer) => layer.digest === digest);
    const downloads = {
      async fetch(_client: RegistryClient, _repository: string, blob: { digest: string }, _progress: unknown, _signal: unknown, joined: () => void) {
        joined();
        if (indexOf(blob.digest) === 2) await bottomStoredPromise;
        return join(dir, String(indexOf(blob.digest)));
      },
      // The top layer's extraction follows its download, which ends once the bottom layer is stored.
      follow(digest: string) {
        const index = indexOf(digest);
        return Readable.from(
          (async function* () {
            if (index === 2) await bottomStoredPromise;
            yield await readFile(join(dir, String(index)));
          })(),
        );
      },
      release: () => undefined,
    } as unknown as BlobDownloads;
    const stored: string[] = [];
    const target: PullTarget = {
      hasLayer: () => false,
      hasImage: () => false,
      prepareLayer,
      async ingest(spec) {
        for (const [index, layer] of spec.layers.entries()) {
          const { prepared } = await layer.open();
          stored.push((prepared as PreparedLayer & { content: string }).content);
          if (index === 0) bottomStored();
          spec.onLayer?.(index, true);
        }
        return { id: sha256Digest(spec.configBytes), updated: true };
      },
    };
    const messages: ProgressMessage[] = [];
    const sources = await LayerSources.open();
    const result = await pull({ target, downloads, sources, onProgress: (message) => messages.push(message) });
    expect(result.id).toBe(sha256Digest(config));
    expect(stored).toEqual(['bottom layer', 'middle layer', 'top layer']);
    const at = (status: string, index: number): number => messages.findIndex((m) => m.status === status && m.id === layers[index]!.digest.slice(7, 19));
    expect(at('Pull complete', 0)).toBeLessThan(at('Download complete', 2));
    expect(at('Pull complete', 1)).toBeLessThan(at('Pull complete', 2));
    // Each layer's own messages in Docker's order, though its extraction followed its download.
    for (const index of [0, 1, 2]) {
      const order = ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete'].map((status) => at(status, index));
      expect(order.every((position) => position >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
    // Each layer stored is remembered where it came from, for pushes to mount or skip.
    expect(sources.sourcesOf(sha256Digest(contents[2]!))).toEqual([{ ...layers[2], registry: 'registry.example:5000', repository: 'app' }]);
  });

  it('extracts a layer once for two pulls at once: the second leaves it to the first and finds it in the store', async () => {
    const downloads = {
      async fetch(_client: RegistryClient, _repository: string, blob: { digest: string }, _progress: unknown, _signal: unknown, joined: () => void) {
        joined();
        return join(dir, String(layers.findIndex((layer) => layer.digest === blob.digest)));
      },
      follow: (digest: string) => Readable.from([contents[layers.findIndex((layer) => layer.digest === digest)]!]),
      release: () => undefined,
    } as unknown as BlobDownloads;
    // A store with the image store's queue: one ingest at a time, committed layers found by the next.
    const committed = new Set<string>();
    let queue = Promise.resolve();
    let extractions = 0;
    const target: PullTarget = {
      hasLayer: (chainId) => committed.has(chainId),
      hasImage: () => false,
      prepareLayer: async (stream) => {
        extractions++;
        return prepareLayer(stream);
      },
      ingest(spec) {
        const turn = queue.then(async () => {
          let parent: string | null = null;
          for (const [index, layer] of spec.layers.entries()) {
            const chainId = chainIdOf(parent, sha256Digest(contents[index]!));
            parent = chainId;
            if (committed.has(chainId)) continue;
            await layer.open();
            committed.add(chainId);
          }
          return { id: sha256Digest(spec.configBytes), updated: true };
        });
        queue = turn.then(() => undefined);
        return turn;
      },
    };
    const claims = new ExtractionClaims();
    const both = await Promise.all([1, 2].map(async () => pullImage({ client, registry: 'registry.example:5000', reference: parseNormalizedNamed('registry.example:5000/app:v1'), repository: 'app', platform: { os: 'linux', architecture: 'amd64' }, explicitPlatform: false, target, downloads, claims, sources: await LayerSources.open(), onProgress: () => undefined })));
    expect(both.map((result) => result.id)).toEqual([sha256Digest(config), sha256Digest(config)]);
    expect(extractions).toBe(3);
  });

  it("reports a download's failure to verify, not what the extraction following it made of its bytes", async () => {
    let failDownload!: () => void;
    const downloadFails = new Promise<void>((resolve) => (failDownload = resolve));
    const downloads = {
      async fetch(_client: RegistryClient, _repository: string, _blob: unknown, _progress: unknown, _signal: unknown, joined: () => void) {
        joined();
        await downloadFails;
        throw new Error('filesystem layer verification failed for digest sha256:…');
      },
      follow: () => Readable.from([Buffer.from('not a tar')]),
      release: () => undefined,
    } as unknown as BlobDownloads;
    const target: PullTarget = {
      hasLayer: () => false,
      hasImage: () => false,
      async prepareLayer(stream) {
        for await (const chunk of stream) void chunk;
        // The extraction fails first; the download only after it.
        failDownload();
        throw new Error('invalid layer archive: unexpected end of data');
      },
      ingest: async () => ({ id: '', updated: false }),
    };
    await expect(pull({ target, downloads, sources: await LayerSources.open(), onProgress: () => undefined })).rejects.toThrow('filesystem layer verification failed');
  });

  it('fails at once when a download fails, stopping the others, not when extraction reaches that layer', async () => {
    const downloads = {
      async fetch(_client: RegistryClient, _repository: string, blob: { digest: string }, _progress: unknown, signal: AbortSignal, joined: () => void) {
        joined();
        const index = layers.findIndex((layer) => layer.digest === blob.digest);
        if (index === 2) throw new Error('top layer: connection reset');
        // The lower layers never finish on their own: only the pull's stop ends them.
        return new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      },
      follow: () => Readable.from((async function* () {})()),
      release: () => undefined,
    } as unknown as BlobDownloads;
    const target: PullTarget = { hasLayer: () => false, hasImage: () => false, prepareLayer, ingest: async () => ({ id: '', updated: false }) };
    await expect(pull({ target, downloads, sources: await LayerSources.open(), onProgress: () => undefined })).rejects.toThrow('top layer: connection reset');
  });
});
