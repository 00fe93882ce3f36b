import { setTimeout as sleep } from 'node:timers/promises';
import type { ProgressMessage } from '@berth/api';
import { MediaTypes } from '@berth/oci';
import { sha256Digest } from '@berth/reference';
import { progressReporter } from '../progress-counter.js';
import type { LayerSource, LayerSources } from '../layer-sources.js';
import { isTransient, RegistryClientError } from '../registry-client-error.js';
import type { RegistryClient } from '../registry-client.js';
import { Slots } from '../slots.js';
import { compressedLayer, type CompressedBlob } from './compressed-layer.js';

/** A layer of the image to push: its diff ID, and the file holding its uncompressed tar, and that tar's size. */
export interface PushLayer {
  diffId: string;
  size: number;
  path: string;
}

export interface PushImageOptions {
  client: RegistryClient;
  /** The registry's host, as layer sources name it. */
  registry: string;
  /** The repository's path on its registry. */
  repository: string;
  tag: string;
  configBytes: Buffer;
  /** Bottom first. */
  layers: PushLayer[];
  /** Where layers were seen before: blobs the registry may have, or may mount from another repository. */
  sources: LayerSources;
  /** Layers uploaded at once (Docker's `max-concurrent-uploads`, 5 by default). */
  concurrency?: number;
  onProgress: (message: ProgressMessage) => void;
  /** The push is given up (its client went away): no further layer starts, an upload under way stops. */
  signal?: AbortSignal;
}

/**
 * `docker push` of one tag: each layer the registry lacks is gzipped as it is uploaded (a few at a
 * time), then the config, then a Docker schema2 manifest under the tag. Progress is Docker's: per
 * layer `Preparing`, `Waiting`, `Pushing` (of the uncompressed bytes), `Pushed`, `Layer already
 * exists` or `Mounted from <repository>`, then `<tag>: digest: … size: …`.
 */
export async function pushImage(options: PushImageOptions): Promise<{ digest: string; size: number }> {
  const { client, repository, layers, onProgress } = options;
  const ids = layers.map((layer) => layer.diffId.slice(layer.diffId.indexOf(':') + 1, layer.diffId.indexOf(':') + 13));
  // Docker lists the top layer first.
  const order = layers.map((_, index) => index).reverse();
  for (const index of order) onProgress({ status: 'Preparing', progressDetail: {}, id: ids[index]! });
  // This push's own stop: the first layer that fails stops the others' uploads, as does the caller's signal.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const pushing = { ...options, signal };
  const slots = new Slots(options.concurrency ?? 5);
  const blobs: CompressedBlob[] = new Array<CompressedBlob>(layers.length);
  await Promise.all(
    order.map(async (index) => {
      if (slots.busy) onProgress({ status: 'Waiting', progressDetail: {}, id: ids[index]! });
      const release = await slots.take();
      try {
        signal.throwIfAborted();
        blobs[index] = await pushLayer(pushing, layers[index]!, ids[index]!);
      } catch (err) {
        failed.abort(err);
        throw err;
      } finally {
        release();
      }
    }),
  );

  signal.throwIfAborted();
  const configDigest = sha256Digest(options.configBytes);
  if (!(await client.headBlob(repository, configDigest))) {
    await client.uploadBlob(repository, configDigest, options.configBytes, signal);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.DockerManifest,
      config: { mediaType: MediaTypes.DockerConfig, size: options.configBytes.length, digest: configDigest },
      layers: blobs.map((blob) => ({ mediaType: MediaTypes.DockerLayerGzip, size: blob.size, digest: blob.digest })),
    }),
  );
  const digest = await client.putManifest(repository, options.tag, MediaTypes.DockerManifest, manifest);
  onProgress({ status: `${options.tag}: digest: ${digest} size: ${manifest.length}` });
  onProgress({ progressDetail: {}, aux: { Tag: options.tag, Digest: digest, Size: manifest.length } });
  return { digest, size: manifest.length };
}

// As moby: a few sightings are tried before a layer is compressed and uploaded.
const MAX_CANDIDATES = 3;
// The manifest pushed names gzip layers: only a gzip blob may stand for a layer (a zstd or plain one pulled may not).
const GZIP_LAYER_TYPES = new Set<string>([MediaTypes.DockerLayerGzip, MediaTypes.OciLayerGzip]);

async function pushLayer(options: PushImageOptions, layer: PushLayer, id: string): Promise<CompressedBlob> {
  const { client, registry, repository, onProgress } = options;
  const done = async (blob: CompressedBlob, status: string): Promise<CompressedBlob> => {
    await options.sources.record([{ diffId: layer.diffId, source: { digest: blob.digest, size: blob.size, mediaType: MediaTypes.DockerLayerGzip, registry, repository } }]);
    onProgress({ status, progressDetail: {}, id });
    return { digest: blob.digest, size: blob.size };
  };
  const known = options.sources.sourcesOf(layer.diffId).filter((source) => GZIP_LAYER_TYPES.has(source.mediaType));
  // Blobs the layer was pulled or pushed as, anywhere: the repository may hold one already.
  for (const blob of distinctBy(known, (source) => source.digest).slice(0, MAX_CANDIDATES)) {
    if (await shortcut(options, () => client.headBlob(repository, blob.digest))) return done(blob, 'Layer already exists');
  }
  // Another repository of the same registry that holds the blob lends it without an upload.
  const elsewhere = known.filter((source) => source.registry === registry && source.repository !== repository);
  for (const source of distinctBy(elsewhere, (candidate) => candidate.repository).slice(0, MAX_CANDIDATES)) {
    if (await shortcut(options, () => client.mountBlob(repository, source.digest, source.repository))) return done(source, `Mounted from ${source.repository}`);
  }
  let reauthorized = false;
  for (let failures = 0; ; ) {
    options.signal?.throwIfAborted();
    const compressed = compressedLayer(layer.path, progressReporter(layer.size, 'Pushing', id, onProgress));
    try {
      await client.uploadStream(repository, compressed.stream, () => compressed.blob().digest, options.signal);
      return await done(compressed.blob(), 'Pushed');
    } catch (err) {
      if (options.signal?.aborted) throw err;
      // A token that lapsed between the session's POST and the streamed PATCH (which cannot answer a challenge) costs one more try.
      if (!reauthorized && err instanceof RegistryClientError && err.status === 401) {
        reauthorized = true;
        continue;
      }
      if (!isTransient(err) || ++failures >= MAX_UPLOAD_ATTEMPTS) throw err;
      await countDown(failures * RETRY_STEP_SECONDS, id, options);
    }
  }
}

// moby's: a layer upload is tried 5 times, after 5, 10, 15 and 20 seconds, counted down in its progress.
const MAX_UPLOAD_ATTEMPTS = 5;
const RETRY_STEP_SECONDS = 5;

async function countDown(seconds: number, id: string, options: PushImageOptions): Promise<void> {
  for (let left = seconds; left > 0; left--) {
    options.onProgress({ status: `Retrying in ${left} second${left === 1 ? '' : 's'}`, progressDetail: {}, id });
    await sleep(1000, undefined, options.signal ? { signal: options.signal } : {});
  }
}

/** A way around an upload (a HEAD, a mount) that fails is no reason to fail the push: the layer is uploaded instead, as moby does. */
async function shortcut(options: PushImageOptions, attempt: () => Promise<unknown>): Promise<boolean> {
  options.signal?.throwIfAborted();
  try {
    return Boolean(await attempt());
  } catch (err) {
    if (options.signal?.aborted) throw err;
    return false;
  }
}

function distinctBy(sources: readonly LayerSource[], key: (source: LayerSource) => string): LayerSource[] {
  const seen = new Set<string>();
  return sources.filter((source) => !seen.has(key(source)) && seen.add(key(source)));
}
