import { mkdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, SerialQueue, type BuildCacheRecord, type ImageHistoryItem, type ImageInspect, type ImageSummary } from '@berth/api';
import type { LayerStore, PreparedLayer } from '@berth/layer';
import type { Descriptor } from '@berth/oci';
import { familiarName, familiarString, parseNormalizedNamed } from '@berth/reference';
import { ContentStore } from './internal/content-store.js';
import { createImage, type NewImageSpec } from './internal/create-image.js';
import { buildCacheUsage, findCached, publishImage, pruneBuildCache, type BuildCachePruneOptions, type BuildCachePruneReport } from './internal/build-cache.js';
import { ImageCatalog } from './internal/image-catalog.js';
import { historyOf, inspectImage, listImages, resolveImage, sharedSizes, type ListOptions, type ResolvedImage } from './internal/image-queries.js';
import { LayerHolds } from './internal/layer-holds.js';
import { removeUnusedLayers } from './internal/layer-release.js';
import { loadImages, type LoadOptions } from './internal/load-images.js';
import { ingestImage, type IngestResult, type IngestSpec } from './internal/ingest-image.js';
import { MetadataStore } from './internal/metadata-store.js';
import { ReferenceStore } from './internal/reference-store.js';
import { pruneImages, removeImage, type DeleteRecord, type PruneOptions, type PruneReport, type RemoveOptions } from './internal/remove-images.js';
import { restoreCatalog } from './internal/restore-catalog.js';
import { pushableImages, saveImages, savedManifest, type PushableImage } from './internal/save-images.js';
import { reportEvent, type ImageStoreOptions, type StoreContext } from './internal/store-context.js';
import { tagImage } from './internal/tag-image.js';

/**
 * Image configs, tags and their layers (moby's image/ + daemon/images on the graphdriver store):
 *   <root>/blobs/sha256/<hex>           image configs; the hex is the image ID
 *   <root>/repositories.json            tags and digest references -> image IDs
 *   <root>/metadata/sha256/<hex>.json   local facts (last tag time)
 *   <root>/tmp/                         staging for archives being loaded; cleared on open
 * Reads are served from memory; mutations run one at a time, but a layer streamed from a client is
 * stored before its operation joins that queue (see `create`).
 *
 * An image whose layer is missing (quarantined by the layer store, or gone) is never a crash
 * leftover here (configs are written after their layers and deleted before them): it stays listed
 * with its names, operations that need its content fail naming the layer, and an operator decides.
 *
 * The class owns the state; each operation lives in its own module under internal/.
 */
export class ImageStore {
  private constructor(private readonly context: StoreContext) {}

  static async open(root: string, layers: LayerStore, options: ImageStoreOptions = {}): Promise<ImageStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const tmpDir = join(await realpath(root), 'tmp');
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir, { mode: 0o700 });
    const refs = await ReferenceStore.open(root);
    const context: StoreContext = {
      catalog: new ImageCatalog(refs, layers),
      layers,
      content: await ContentStore.open(root),
      refs,
      metadata: await MetadataStore.open(root),
      queue: new SerialQueue(),
      holds: new LayerHolds(),
      options,
      tmpDir,
    };
    await restoreCatalog(context, options.log ?? (() => undefined));
    return new ImageStore(context);
  }

  /** An image to run: fails for one whose layers are not all stored. */
  resolve(nameOrId: string): ResolvedImage {
    return resolveImage(this.context, nameOrId);
  }

  list(options: ListOptions = {}): ImageSummary[] {
    return listImages(this.context, options);
  }

  history(nameOrId: string): ImageHistoryItem[] {
    return historyOf(this.context, nameOrId);
  }

  inspect(nameOrId: string): ImageInspect {
    return inspectImage(this.context, nameOrId);
  }

  /** For each image, the bytes of its layers that other images use too (`system df`'s SharedSize). */
  sharedSizes(): Map<string, number> {
    return sharedSizes(this.context);
  }

  /** Bytes of layer content the store holds, each shared layer counted once. */
  layersSize(): number {
    return this.context.layers.list().reduce((sum, layer) => sum + layer.size, 0);
  }

  /** `docker save`: the images named, as one archive. */
  save(names: string[]): Promise<Readable> {
    return saveImages(this.context, names);
  }

  /** The manifest an image is saved with, as `docker image ls --tree` lists it. */
  manifest(id: string): Promise<{ descriptor: Descriptor; contentSize: number }> {
    return savedManifest(this.context, id);
  }

  /** Loads a `docker save` archive (or an OCI image layout); returns the lines `docker load` prints. */
  load(archive: Readable, options: LoadOptions = {}): Promise<string[]> {
    return loadImages(this.context, archive, options);
  }

  tag(source: string, target: string): Promise<void> {
    return tagImage(this.context, source, target);
  }

  /** `docker rmi`. */
  remove(nameOrId: string, options: RemoveOptions = {}): Promise<DeleteRecord[]> {
    return removeImage(this.context, nameOrId, options);
  }

  /** `docker image prune`. */
  prune(options: PruneOptions): Promise<PruneReport> {
    return pruneImages(this.context, options);
  }

  /** Stores an image that arrives as its config and layers (a pull); the layers it has are never opened. */
  ingest(spec: IngestSpec): Promise<IngestResult> {
    return ingestImage(this.context, spec);
  }

  /**
   * Extracts a layer for a later `ingest` without holding up the store (a pull extracts its layers while
   * they download); the caller discards it if it never reaches an ingest.
   */
  prepareLayer(stream: Readable): Promise<PreparedLayer> {
    return this.context.layers.prepare(stream);
  }

  /** What `docker push` sends for `name`: the tagged image, or each tagged image of the repository. */
  pushable(name: string): Promise<PushableImage[]> {
    return pushableImages(this.context, name);
  }

  /**
   * Records a push of `tag`: the digest reference the registry gave (a RepoDigest) points at the image,
   * and a `push` event is reported. An image removed while it was pushed gets no reference.
   */
  async recordPush(tag: string, digestReference: string, id: string): Promise<void> {
    const pushed = parseNormalizedNamed(tag);
    const ref = parseNormalizedNamed(digestReference);
    if (ref.digest === undefined) throw new InvalidArgumentError(`${digestReference} is not a digest reference`);
    await this.context.queue.run(async () => {
      if (this.context.catalog.get(id) !== undefined) await this.context.refs.update((draft) => draft.set(ref, id));
      reportEvent(this.context, 'push', familiarString(pushed), familiarName(pushed));
    });
  }

  /** Whether the store holds the image with this ID. */
  hasImage(id: string): boolean {
    return this.context.catalog.get(id) !== undefined;
  }

  /** Whether the store holds the layer stack a chain ID names. */
  hasLayer(chainId: string): boolean {
    return this.context.layers.get(chainId) !== undefined;
  }

  /** Makes an image from a new layer on top of an optional parent (`import`, `commit`); returns its ID. */
  create(spec: NewImageSpec): Promise<string> {
    return createImage(this.context, spec);
  }

  /** The image a build step with this cache key made, if it is still here. */
  findCached(key: string): string | undefined {
    return findCached(this.context, key);
  }

  /** A build's result leaves the hidden build cache (`docker images` lists it). */
  publish(id: string): Promise<void> {
    return publishImage(this.context, id);
  }

  /** `system df`'s build cache records. */
  buildCache(isInUse: (id: string) => boolean): BuildCacheRecord[] {
    return buildCacheUsage(this.context, isInUse);
  }

  /** `docker builder prune`. */
  pruneBuildCache(options: BuildCachePruneOptions): Promise<BuildCachePruneReport> {
    return pruneBuildCache(this.context, options);
  }

  /** The startup check: removes layers no image or container uses; returns what it repaired. */
  check(): Promise<string[]> {
    return removeUnusedLayers(this.context);
  }
}
