import { createReadStream } from 'node:fs';
import { addAbortSignal, type Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';
import { chainIdOf, type PreparedLayer } from '@berth/layer';
import type { Platform } from '@berth/oci';
import { familiarString, isDigest, sha256Digest, trimNamed, withDigest, type NamedReference } from '@berth/reference';
import { PROGRESS_STEP, withProgress } from '../progress-counter.js';
import { Slots } from '../slots.js';
import type { LayerSource, LayerSources } from '../layer-sources.js';
import type { RegistryClient } from '../registry-client.js';
import { DownloadRestartedError, type BlobDownloads } from './blob-downloads.js';
import { ExtractionClaims } from './extraction-claims.js';
import { untilAborted } from '../until-aborted.js';
import { resolveImage } from './resolve-image.js';

/** Layer files are read for extraction in chunks this big: each chunk costs a trip through every stage of it. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** What the pull stores the image into (the engine's image store has this shape). */
export interface PullTarget {
  /** Whether the store has the layer stack a chain ID names. */
  hasLayer(chainId: string): boolean;
  /** Whether the store has the image (the sha256 of its config). */
  hasImage(id: string): boolean;
  /** Extracts a layer outside the store, while other work goes on, for an `ingest` to commit. */
  prepareLayer(stream: Readable): Promise<PreparedLayer>;
  /** Registers the layers it lacks, bottom first (opening only those), then the config and the references. */
  ingest(spec: {
    configBytes: Buffer;
    layers: Array<{ name: string; open(): Promise<{ prepared: PreparedLayer }> }>;
    references: string[];
    onLayer?: (index: number, registered: boolean) => void;
  }): Promise<{ id: string; updated: boolean }>;
}

export interface PullImageOptions {
  client: RegistryClient;
  /** The registry's host, as layer sources name it (the origin's, also when a mirror serves the pull). */
  registry: string;
  /** Where each layer's blob is recorded as seen, for later pushes. */
  sources: LayerSources;
  /** The normalised reference: a tag or a digest. */
  reference: NamedReference;
  /** The repository's path on its registry (`library/busybox`). */
  repository: string;
  platform: Platform;
  /** Whether the user named the platform (`--platform`): a single-platform image of another is refused. */
  explicitPlatform: boolean;
  target: PullTarget;
  downloads: BlobDownloads;
  /** The layers other pulls into the same store extract ahead of it (shared like `downloads`); none when absent. */
  claims?: ExtractionClaims;
  /** Layers downloaded at once (Docker's `max-concurrent-downloads`, 3 by default). */
  concurrency?: number;
  onProgress: (message: ProgressMessage) => void;
  /** The pull is given up (its client went away): downloads no other pull needs stop, nothing is registered. */
  signal?: AbortSignal;
}

export interface PullResult {
  id: string;
  /** The digest the reference resolved to. */
  digest: string;
  /** Whether the store changed (new layers, or a reference moved): the caller's `Status:` line says so. */
  updated: boolean;
  /** The image's own platform, when it has one only and it is not the one asked for. */
  otherPlatform?: Platform;
}

/**
 * `docker pull`: resolves the reference to one image, downloads the layers the store lacks (a few at
 * a time, each verified), registers them bottom first, each as soon as it is in, and points the
 * reference and its digest reference at the image. Progress is Docker's: per layer `Pulling fs layer`/`Already exists`,
 * `Waiting`, `Downloading`, `Verifying Checksum`, `Download complete`, `Extracting`, `Pull complete`,
 * then `Digest:`; the `Status:` line that ends a `docker pull` is the caller's (one for all tags).
 */
export async function pullImage(options: PullImageOptions): Promise<PullResult> {
  const { client, reference, repository, target, downloads, onProgress } = options;
  const resolved = await resolveImage(client, repository, reference.digest ?? reference.tag ?? 'latest', options.platform, options.explicitPlatform);
  // Docker names a digest pull by its whole reference, a tag pull by its tag.
  onProgress({ status: `Pulling from ${reference.path}`, id: reference.digest === undefined ? (reference.tag ?? 'latest') : familiarString(reference) });
  const diffIds = (JSON.parse(resolved.config.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
  const layers = resolved.manifest.layers;
  const chain: string[] = [];
  if (Array.isArray(diffIds) && diffIds.length === layers.length && diffIds.every((id) => typeof id === 'string' && isDigest(id))) {
    for (const diffId of diffIds as string[]) chain.push(chainIdOf(chain.at(-1) ?? null, diffId));
  }
  // The bottom layers the store has already: the rest is downloaded.
  let present = 0;
  while (present < chain.length && target.hasLayer(chain[present]!)) present++;
  const ids = layers.map((layer) => layer.digest.slice(layer.digest.indexOf(':') + 1, layer.digest.indexOf(':') + 13));
  // An image the store has already is not reported layer by layer, as Docker does not.
  if (!target.hasImage(sha256Digest(resolved.config))) {
    layers.forEach((_, index) => onProgress({ status: index < present ? 'Already exists' : 'Pulling fs layer', progressDetail: {}, id: ids[index]! }));
  }

  // This attempt's own stop: a failure ends every download it started or queued (another endpoint may take over), as does the caller's signal.
  const attempt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, attempt.signal]) : attempt.signal;
  const slots = new Slots(options.concurrency ?? 3);
  // As many extractions as downloads: each follows its download, paced by it, bottom layers first.
  const extractions = new Slots(options.concurrency ?? 3);
  const started = new Map<number, LayerDownload>();
  const download = (index: number): LayerDownload => {
    let entry = started.get(index);
    if (!entry) {
      let joined!: () => void;
      const began = new Promise<void>((resolve) => (joined = resolve));
      const fetched = fetchLayer(index, joined);
      const created: LayerDownload = { began, file: fetched };
      fetched.then(
        (file) => (created.finished = file),
        () => undefined,
      );
      started.set(index, (entry = created));
    }
    return entry;
  };
  // Extracting progress of a layer waits for its Download complete, as Docker's order has it.
  const extracting = layers.map(() => ({ open: false, held: undefined as ProgressMessage | undefined }));
  const fetchLayer = async (index: number, joined: () => void): Promise<string> => {
    const id = ids[index]!;
    if (slots.busy) onProgress({ status: 'Waiting', progressDetail: {}, id });
    const release = await slots.take();
    try {
      let reported = -PROGRESS_STEP;
      const file = await downloads.fetch(
        client,
        repository,
        layers[index]!,
        (current, total) => {
          if (current - reported < PROGRESS_STEP && current !== total) return;
          reported = current;
          onProgress({ status: 'Downloading', progressDetail: { current, total }, id });
        },
        signal,
        joined,
      );
      onProgress({ status: 'Verifying Checksum', progressDetail: {}, id });
      onProgress({ status: 'Download complete', progressDetail: {}, id });
      const gate = extracting[index]!;
      gate.open = true;
      if (gate.held) onProgress(gate.held);
      return file;
    } finally {
      release();
    }
  };
  // A download that fails ends the attempt at once, not when extraction reaches its layer.
  for (let index = present; index < layers.length; index++) void download(index).file.catch((err: unknown) => attempt.abort(err));

  /** A layer's bytes for extraction: its file once downloaded, else its download as it goes. */
  const extractionStream = (index: number, file: string | undefined): Readable => {
    const source = file === undefined ? downloads.follow(layers[index]!.digest) : createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
    const gate = extracting[index]!;
    const report = (message: ProgressMessage) => (gate.open ? onProgress(message) : (gate.held = message));
    return withProgress(addAbortSignal(signal, source), layers[index]!.size, 'Extracting', ids[index]!, report);
  };
  const preparing = new Map<number, Promise<PreparedLayer>>();
  const prepare = (index: number): Promise<PreparedLayer> => {
    let prepared = preparing.get(index);
    if (!prepared) {
      prepared = prepareLayer(index);
      preparing.set(index, prepared);
    }
    return prepared;
  };
  // Extraction follows each download (one pass over its bytes while they are fresh in the page cache).
  const prepareLayer = async (index: number): Promise<PreparedLayer> => {
    const entry = download(index);
    const release = await extractions.take();
    try {
      await Promise.race([entry.began, entry.file]);
      signal.throwIfAborted();
      return await target.prepareLayer(extractionStream(index, entry.finished));
    } catch (err) {
      // A download that fails (bytes that do not verify) says more than what the extraction made of its bytes, as
      // Docker, which verifies before it extracts, tells it: the download's outcome is waited for.
      const failed = await entry.file.then(
        () => undefined,
        (reason: unknown) => ({ reason }),
      );
      if (failed) throw failed.reason;
      if (signal.aborted) throw signal.reason;
      if (!restarted(err)) throw err;
      // The download started its file over under the extraction: the whole file, once it is verified.
      return await target.prepareLayer(extractionStream(index, await entry.file));
    } finally {
      release();
    }
  };
  // Layers an earlier pull under way extracts are left to it: this pull's turn in the store comes after that pull's end.
  let ended!: () => void;
  const end = new Promise<void>((resolve) => (ended = resolve));
  const { mine, earlier } = (options.claims ?? new ExtractionClaims()).claim(chain.slice(present), end);
  const ahead = layers.map((_, index) => index >= present && (mine[index - present] ?? true));
  for (let index = present; index < layers.length; index++) if (ahead[index]) void prepare(index).catch((err: unknown) => attempt.abort(err));

  // The tag pulled, if any, and the digest reference Docker records as a RepoDigest.
  const digestReference = withDigest(trimNamed(reference), resolved.digest);
  const references = (reference.digest === undefined ? [reference, digestReference] : [digestReference]).map((ref) => familiarString(ref));
  try {
    // The store is entered once the lowest layer it lacks is extracted; it then commits each layer as soon as
    // that one is extracted, bottom first, while the layers above it still download (as Docker does).
    if (earlier.length > 0) await untilAborted(Promise.all(earlier), signal);
    if (ahead[present]) await prepare(present);
    signal.throwIfAborted();
    // Where each layer registered now came from: its diff ID was checked as it was extracted.
    const seen: Array<{ diffId: string; source: LayerSource }> = [];
    const result = await target.ingest({
      configBytes: resolved.config,
      layers: layers.map((layer, index) => ({
        name: layer.digest,
        open: async () => ({ prepared: await prepare(index) }),
      })),
      references,
      onLayer: (index, registered) => {
        if (registered || index >= present) onProgress({ status: 'Pull complete', progressDetail: {}, id: ids[index]! });
        const layer = layers[index]!;
        if (registered) seen.push({ diffId: (diffIds as string[])[index]!, source: { digest: layer.digest, size: layer.size, mediaType: layer.mediaType, registry: options.registry, repository } });
      },
    });
    await options.sources.record(seen);
    onProgress({ status: `Digest: ${resolved.digest}` });
    return { id: result.id, digest: resolved.digest, updated: result.updated, ...(resolved.otherPlatform && { otherPlatform: resolved.otherPlatform }) };
  } catch (err) {
    attempt.abort(err);
    throw err;
  } finally {
    // Every download this pull started is released once it settles, whether it was used or not.
    for (const [index, { file }] of started) void file.then(() => downloads.release(layers[index]!.digest), () => undefined);
    // Layers extracted but not taken by the store (a failure, a layer the store had meanwhile) are removed.
    await Promise.allSettled([...preparing.values()].map(async (prepared) => (await prepared).discard()));
    ended();
  }
}

/** One layer's download for this pull. */
interface LayerDownload {
  /** Resolves once the transfer has started for this pull (it can be followed). */
  began: Promise<void>;
  /** The verified file. */
  file: Promise<string>;
  /** The verified file, once `file` has resolved: extraction reads it rather than follow a transfer that is over. */
  finished?: string;
}

/** Whether an extraction failed because the download it followed started over. */
function restarted(err: unknown): boolean {
  for (let cause = err; cause instanceof Error; cause = cause.cause) if (cause instanceof DownloadRestartedError) return true;
  return false;
}
