import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  ConflictError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  type ImageHistoryItem,
  type ImageInspect,
  type ImageSummary,
  type ProgressMessage,
} from '@berth/api';
import { extractTar, type LayerInfo, type LayerStore } from '@berth/layer';
import { HOST_ARCHITECTURE, MediaTypes, type Descriptor, type HistoryEntry, type ImageConfig, type ImageRunConfig, type Platform } from '@berth/oci';
import {
  familiarName,
  familiarString,
  isDigest,
  isImageIdPrefix,
  isImageIdentifier,
  parseNormalizedNamed,
  referenceString,
  sha256Digest,
  shortId,
  withDefaultTag,
  type NamedReference,
} from '@berth/reference';
import { ContentStore } from './internal/content-store.js';
import { isIdPrefix, isSingleReference, referencesToUntag } from './internal/delete-rules.js';
import { imageHistory } from './internal/history.js';
import { chainIds, parseImageConfig } from './internal/image-config.js';
import { toInspect, toSummary, type ImageNames, type ImageRecord } from './internal/image-views.js';
import { LayerHolds } from './internal/layer-holds.js';
import { createdMs, imageFilter, referenceMatcher, validateFilters, type ImageFilters } from './internal/list-filters.js';
import { MetadataStore } from './internal/metadata-store.js';
import { prepareLoad, type PreparedImage } from './internal/prepare-load.js';
import { ReferenceStore } from './internal/reference-store.js';
import { registerLayers } from './internal/register-layers.js';
import { imageManifest, layerDescriptor, saveArchiveStream, type SavedImage } from './internal/save-archive.js';
import { SerialQueue } from './internal/serial-queue.js';

export interface ResolvedImage {
  /** `sha256:<hex>` of the config. */
  id: string;
  config: ImageConfig;
  /** The top layer's chain ID; null for an image without layers. */
  chainId: string | null;
  repoTags: string[];
  repoDigests: string[];
}

/** What the store did to an image, named as Docker's image events name it; the daemon publishes them. */
export interface ImageEvent {
  action: 'tag' | 'untag' | 'delete' | 'load' | 'save' | 'create' | 'import';
  /** The image ID. */
  id: string;
  /** The reference a `tag` made; the image ID for the other actions, as moby reports them. */
  name: string;
}

export interface ImageStoreOptions {
  /** Told about images skipped, unusable (a layer missing or quarantined) or references dropped while opening. */
  log?: (message: string) => void;
  /** Told of each image tagged, untagged, deleted, loaded, saved, committed or imported, as it happens. */
  onEvent?: (event: ImageEvent) => void;
  /** Top layers held outside images (containers' read-only stacks): they and their parents are never removed. */
  layersInUse?: () => Iterable<string | null>;
  /** Cap on the decompressed size of an archive given to `load` or `import` (the layer store caps each layer). */
  maxArchiveBytes?: number;
}

/** A container (or other user) of an image, for the conflict rules of `remove`. */
export interface ImageUser {
  id: string;
  running: boolean;
}

export interface ListOptions {
  all?: boolean;
  filters?: ImageFilters;
}

export interface PruneOptions {
  filters?: ImageFilters;
  /** Whether a container uses the image (such images are never pruned). */
  isInUse: (id: string) => boolean;
}

export interface PruneReport {
  ImagesDeleted: DeleteRecord[];
  SpaceReclaimed: number;
}

/** What `import` and `commit` make: an optional parent image, a new layer and the run config. */
export interface NewImageSpec {
  /** Image ID whose layers, platform and history the new image extends. */
  parent?: string;
  /** The new layer as an (optionally compressed) tar; without it the image adds no layer. */
  layer?: Readable;
  runConfig: ImageRunConfig;
  history: HistoryEntry;
  author?: string;
  comment?: string;
  /** The container a commit came from. */
  container?: string;
  /** `repo[:tag]` to tag the new image with. */
  tag?: string;
  /** The platform of an image without a parent (`import --platform`); the host's by default. */
  platform?: Platform;
  /**
   * How the new image is reported besides its tag: `create` before the tag (a commit, as moby's
   * CommitImage), `import` after it (moby's ImportImage).
   */
  event?: 'create' | 'import';
  /**
   * Called once the new layer is stored, before waiting for the store's other operations (commit
   * unpauses its container here, so a slow operation elsewhere never keeps it frozen).
   */
  onLayerStored?: () => Promise<void>;
}

export interface LoadOptions {
  onProgress?: (message: ProgressMessage) => void;
}

export interface RemoveOptions {
  /** Remove an image referenced from several repositories by ID. */
  force?: boolean;
  /** Accepted for API parity; images here have no parent chain to prune. */
  noPrune?: boolean;
  /** The containers using each image: a running one blocks removal, a stopped one unless forced. */
  usersOf?: (id: string) => ImageUser[];
}

export type DeleteRecord = { Untagged: string } | { Deleted: string };

/** moby's checkImageDeleteConflict for containers: running is a hard conflict, stopped a soft one. */
function deleteConflict(id: string, users: ImageUser[], force: boolean): ConflictError | undefined {
  const running = users.find((user) => user.running);
  if (running !== undefined) {
    return new ConflictError(
      `conflict: unable to delete ${shortId(id)} (cannot be forced) - image is being used by running container ${shortId(running.id)}`,
    );
  }
  if (!force && users.length > 0) {
    return new ConflictError(
      `conflict: unable to delete ${shortId(id)} (must be forced) - image is being used by stopped container ${shortId(users[0].id)}`,
    );
  }
  return undefined;
}

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
 */
export class ImageStore {
  private readonly images = new Map<string, ImageRecord>();
  private readonly queue = new SerialQueue();
  private readonly holds = new LayerHolds();

  private constructor(
    private readonly tmpDir: string,
    private readonly layers: LayerStore,
    private readonly content: ContentStore,
    private readonly refs: ReferenceStore,
    private readonly metadata: MetadataStore,
    private readonly options: ImageStoreOptions,
  ) {}

  static async open(root: string, layers: LayerStore, options: ImageStoreOptions = {}): Promise<ImageStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const tmpDir = join(await realpath(root), 'tmp');
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir, { mode: 0o700 });
    const store = new ImageStore(
      tmpDir,
      layers,
      await ContentStore.open(root),
      await ReferenceStore.open(root),
      await MetadataStore.open(root),
      options,
    );
    await store.restore(options.log ?? (() => undefined));
    return store;
  }

  /** Rebuilds the in-memory index, reporting images that cannot be used (their layers are missing). */
  private async restore(log: (message: string) => void): Promise<void> {
    for (const id of await this.content.list()) {
      const bytes = await this.content.get(id);
      if (sha256Digest(bytes) !== id) {
        log(`skipping image ${id}: its config does not match its digest`);
        continue;
      }
      let config: ImageConfig;
      try {
        config = parseImageConfig(bytes, id);
      } catch (err) {
        log(`skipping image ${id}: ${(err as Error).message}`);
        continue;
      }
      const chain = chainIds(config.rootfs.diff_ids);
      const { lastTagTime } = await this.metadata.get(id);
      this.images.set(id, { id, config, chain, size: this.chainSize(chain), ...(lastTagTime !== undefined ? { lastTagTime } : {}) });
    }
    const orphans = this.refs.all().filter(({ id }) => !this.images.has(id));
    if (orphans.length > 0) {
      for (const { ref, id } of orphans) log(`dropping reference ${familiarString(ref)}: image ${id} is not available`);
      await this.refs.update((draft) => orphans.forEach(({ ref }) => draft.delete(ref)));
    }
    for (const record of this.images.values()) {
      const problem = this.problemOf(record);
      if (problem === undefined) continue;
      const tags = this.namesOf(record.id).repoTags;
      log(`image ${record.id}${tags.length > 0 ? ` (${tags.join(', ')})` : ''} is unusable: ${problem}`);
    }
  }

  /** Why an image's content cannot be used, if it cannot: the lowest layer of its chain that is not stored. */
  private problemOf(record: ImageRecord): string | undefined {
    const missing = record.chain.find((chainId) => this.layers.get(chainId) === undefined);
    if (missing === undefined) return undefined;
    const quarantined = this.layers.quarantinedAt(missing);
    return quarantined === undefined ? `layer ${missing} is missing` : `layer ${missing} is quarantined at ${quarantined}`;
  }

  /** For operations that need an image's layers: a broken image is a server-side fault an operator must fix. */
  private assertUsable(record: ImageRecord, name: string): ImageRecord {
    const problem = this.problemOf(record);
    if (problem !== undefined) throw new InternalError(`image ${name} is unusable: ${problem}; load it again or remove it`);
    return record;
  }

  /** Indexes an image just written, or refreshes the record it already has (a reload repairs a broken one). */
  private indexImage(id: string, config: ImageConfig, chain: string[]): ImageRecord {
    const size = this.chainSize(chain);
    const existing = this.images.get(id);
    if (existing !== undefined) {
      existing.size = size;
      return existing;
    }
    const record: ImageRecord = { id, config, chain, size };
    this.images.set(id, record);
    return record;
  }

  private chainSize(chain: string[]): number {
    return chain.reduce((sum, chainId) => sum + (this.layers.get(chainId)?.size ?? 0), 0);
  }

  private namesOf(id: string, only: (ref: NamedReference) => boolean = () => true): ImageNames {
    const refs = this.refs.referencesTo(id).filter(only);
    return {
      repoTags: refs.filter((ref) => ref.digest === undefined).map(familiarString),
      repoDigests: refs.filter((ref) => ref.digest !== undefined).map(familiarString),
    };
  }

  /**
   * Docker's lookup order: a full ID, then a reference (default tag `latest`), then a unique ID
   * prefix. A malformed reference is an InvalidArgumentError, as Docker's "invalid reference format".
   */
  private find(nameOrId: string): ImageRecord {
    const fullId = isImageIdentifier(nameOrId) ? `sha256:${nameOrId}` : isDigest(nameOrId) ? nameOrId : undefined;
    if (fullId !== undefined) {
      const record = this.images.get(fullId);
      if (record === undefined) throw new NotFoundError(`No such image: ${fullId}`);
      return record;
    }
    const ref = withDefaultTag(parseNormalizedNamed(nameOrId));
    const tagged = this.refs.get(ref);
    const byName = tagged === undefined ? undefined : this.images.get(tagged);
    if (byName !== undefined) return byName;
    if (isImageIdPrefix(nameOrId)) {
      const hex = nameOrId.startsWith('sha256:') ? nameOrId.slice('sha256:'.length) : nameOrId;
      const matches = [...this.images.values()].filter((record) => record.id.startsWith(`sha256:${hex}`));
      if (matches.length === 1) return matches[0];
    }
    throw new NotFoundError(`No such image: ${familiarString(ref)}`);
  }

  /** An image to run: fails for one whose layers are not all stored. */
  resolve(nameOrId: string): ResolvedImage {
    const record = this.assertUsable(this.find(nameOrId), nameOrId);
    return { id: record.id, config: record.config, chainId: record.chain.at(-1) ?? null, ...this.namesOf(record.id) };
  }

  /**
   * `all` is accepted for API parity: without parent images every image is a top-level one. With a
   * `reference` filter only the matching names are shown, as moby does.
   */
  list(options: ListOptions = {}): ImageSummary[] {
    const filters = options.filters ?? {};
    const matches = imageFilter(filters, (nameOrId) => createdMs(this.find(nameOrId)));
    const shown = referenceMatcher(filters);
    return [...this.images.values()]
      .filter((record) => matches({ record, refs: this.refs.referencesTo(record.id) }))
      .map((record) => toSummary(record, this.namesOf(record.id, shown)))
      .sort((a, b) => b.Created - a.Created);
  }

  history(nameOrId: string): ImageHistoryItem[] {
    const record = this.find(nameOrId);
    return imageHistory(record, this.namesOf(record.id).repoTags, (chainId) => this.layers.get(chainId)?.size ?? 0);
  }

  /** For each image, the bytes of its layers that other images use too (`system df`'s SharedSize). */
  sharedSizes(): Map<string, number> {
    const users = new Map<string, number>();
    for (const record of this.images.values()) for (const chainId of record.chain) users.set(chainId, (users.get(chainId) ?? 0) + 1);
    const shared = new Map<string, number>();
    for (const record of this.images.values()) {
      const bytes = record.chain.filter((chainId) => (users.get(chainId) ?? 0) > 1).reduce((sum, chainId) => sum + (this.layers.get(chainId)?.size ?? 0), 0);
      shared.set(record.id, bytes);
    }
    return shared;
  }

  /** Bytes of layer content the store holds, each shared layer counted once. */
  layersSize(): number {
    return this.layers.list().reduce((sum, layer) => sum + layer.size, 0);
  }

  /**
   * `docker save`: the images named, as one archive. A repository name without a tag saves every
   * tagged image of that repository; an ID saves the image without tags (moby's rules).
   */
  async save(names: string[]): Promise<Readable> {
    const byId = new Map<string, SavedImage>();
    for (const name of names) {
      for (const { record, tag } of this.imagesNamedBy(name)) {
        this.assertUsable(record, name);
        let saved = byId.get(record.id);
        if (saved === undefined) {
          saved = { id: record.id, configBytes: await this.content.get(record.id), layers: await this.layerTars(record), tags: [] };
          byId.set(record.id, saved);
          this.report('save', record.id);
        }
        if (tag !== undefined && !saved.tags.some((t) => referenceString(t) === referenceString(tag))) saved.tags.push(tag);
      }
    }
    return saveArchiveStream([...byId.values()]);
  }

  /**
   * The manifest an image is saved with, as `docker image ls --tree` lists it: its descriptor and the
   * bytes of the content it names (itself, the config and the layer tars).
   */
  async manifest(id: string): Promise<{ descriptor: Descriptor; contentSize: number }> {
    const record = this.assertUsable(this.find(id), id);
    const configBytes = await this.content.get(record.id);
    const layers = await Promise.all((await this.layerTars(record)).map(layerDescriptor));
    const bytes = imageManifest(record.id, configBytes, layers);
    const descriptor = { mediaType: MediaTypes.OciManifest, digest: sha256Digest(bytes), size: bytes.length };
    return { descriptor, contentSize: layers.reduce((sum, layer) => sum + layer.size, bytes.length + configBytes.length) };
  }

  private async layerTars(record: ImageRecord): Promise<Array<{ diffId: string; tarPath: string }>> {
    const layers = [];
    for (const [index, chainId] of record.chain.entries()) {
      layers.push({ diffId: record.config.rootfs.diff_ids[index]!, tarPath: await this.layers.tarPath(chainId) });
    }
    return layers;
  }

  private imagesNamedBy(name: string): Array<{ record: ImageRecord; tag?: NamedReference }> {
    const nameOnly = isImageIdPrefix(name) || isDigest(name) ? undefined : parseNormalizedNamed(name);
    if (nameOnly !== undefined && nameOnly.tag === undefined && nameOnly.digest === undefined) {
      const tagged = this.refs
        .all()
        .filter(({ ref }) => ref.name === nameOnly.name && ref.digest === undefined)
        .flatMap(({ ref, id }) => {
          const record = this.images.get(id);
          return record === undefined ? [] : [{ record, tag: ref }];
        });
      if (tagged.length > 0) return tagged;
    }
    const record = this.find(name);
    if (isIdPrefix(record.id, name)) return [{ record }];
    const ref = withDefaultTag(parseNormalizedNamed(name));
    return ref.digest === undefined ? [{ record, tag: ref }] : [{ record }];
  }

  inspect(nameOrId: string): ImageInspect {
    const record = this.find(nameOrId);
    return toInspect(record, this.namesOf(record.id), this.graphDriverData(record));
  }

  /** overlay2's view of an image: the top layer as UpperDir, the rest as LowerDir (top first). */
  private graphDriverData(record: ImageRecord): Record<string, string> | null {
    const top = record.chain.at(-1);
    if (top === undefined || this.problemOf(record) !== undefined) return null;
    const [upper, ...lowers] = this.layers.diffDirs(top);
    const layerDir = join(upper, '..');
    return {
      ...(lowers.length > 0 ? { LowerDir: lowers.join(':') } : {}),
      MergedDir: join(layerDir, 'merged'),
      UpperDir: upper,
      WorkDir: join(layerDir, 'work'),
    };
  }

  async tag(source: string, target: string): Promise<void> {
    await this.queue.run(async () => {
      const record = this.find(source);
      const ref = parseNormalizedNamed(target);
      if (ref.digest !== undefined) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
      if (familiarName(ref) === 'sha256') {
        throw new InvalidArgumentError('refusing to create an ambiguous tag using digest algorithm as name');
      }
      const tagged = withDefaultTag(ref);
      await this.refs.update((draft) => draft.set(tagged, record.id));
      await this.markTagged(record);
      this.report('tag', record.id, familiarString(tagged));
    });
  }

  private async markTagged(record: ImageRecord): Promise<void> {
    const lastTagTime = new Date().toISOString();
    await this.metadata.set(record.id, { lastTagTime });
    record.lastTagTime = lastTagTime;
  }

  /**
   * Loads a `docker save` archive (or an OCI image layout). The archive is unpacked into staging with
   * the layer store's safe extractor and every claim in it is verified before anything is registered.
   */
  async load(archive: Readable, options: LoadOptions = {}): Promise<string[]> {
    const staging = join(this.tmpDir, randomBytes(16).toString('hex'));
    await mkdir(staging, { mode: 0o700 });
    try {
      await extractTar(archive, staging, { whiteouts: false, maxBytes: this.options.maxArchiveBytes });
      const prepared = await prepareLoad(staging);
      return await this.queue.run(async () => {
        const lines: string[] = [];
        for (const image of prepared) lines.push(...(await this.commitLoadedImage(image, options.onProgress)));
        return lines;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async commitLoadedImage(image: PreparedImage, onProgress?: (message: ProgressMessage) => void): Promise<string[]> {
    const chain = chainIds(image.config.rootfs.diff_ids);
    const added: string[] = [];
    try {
      await registerLayers(this.layers, image, { chain, onProgress, onRegistered: (chainId) => added.push(chainId) });
    } catch (err) {
      await this.releaseUnusedLayers(added.reverse());
      throw err;
    }
    await this.content.put(image.configBytes, image.id);
    const record = this.indexImage(image.id, image.config, chain);
    if (image.tags.length === 0) {
      this.report('load', image.id);
      return [`Loaded image ID: ${image.id}`];
    }

    for (const tag of image.tags) {
      const previous = this.refs.get(tag);
      if (previous !== undefined && previous !== image.id) {
        onProgress?.({
          stream: `The image ${familiarString(tag)} already exists, renaming the old one with ID ${previous} to empty string\n`,
        });
      }
    }
    await this.refs.update((draft) => image.tags.forEach((tag) => draft.set(tag, image.id)));
    await this.markTagged(record);
    // A load sets its tags without tag events, as moby's does.
    this.report('load', image.id);
    return image.tags.map((tag) => `Loaded image: ${familiarString(tag)}`);
  }

  /** Chain IDs held outside images (by containers and operations in flight), with every layer below them. */
  private heldLayers(): Set<string> {
    const held = new Set<string>();
    for (const top of [...(this.options.layersInUse?.() ?? []), ...this.holds.held()]) {
      let next: string | null = top;
      while (next !== null && !held.has(next)) {
        held.add(next);
        next = this.layers.get(next)?.parent ?? null;
      }
    }
    return held;
  }

  private isLayerUsed(chainId: string, held: Set<string>): boolean {
    if (held.has(chainId)) return true;
    for (const record of this.images.values()) if (record.chain.includes(chainId)) return true;
    return false;
  }

  /** Removes the given layers (top first) that no image uses; returns the ones removed. */
  private async releaseUnusedLayers(topFirst: string[]): Promise<string[]> {
    const released: string[] = [];
    const held = this.heldLayers();
    for (const chainId of topFirst) {
      if (this.isLayerUsed(chainId, held) || this.layers.get(chainId) === undefined) continue;
      if (this.layers.list().some((layer) => layer.parent === chainId)) continue;
      await this.layers.remove(chainId);
      released.push(chainId);
    }
    return released;
  }

  /**
   * `docker rmi`: by name it untags, deleting the image only when that was its last name; by ID it
   * deletes, untagging quietly only names in a single repository unless forced. Containers using the
   * image block it as in moby: a running one always, a stopped one unless forced; after removing the
   * last name of an image still in use the image quietly stays, dangling.
   */
  async remove(nameOrId: string, options: RemoveOptions = {}): Promise<DeleteRecord[]> {
    return this.queue.run(async () => {
      const record = this.find(nameOrId);
      const force = options.force === true;
      const users = options.usersOf?.(record.id) ?? [];
      const records: DeleteRecord[] = [];
      const refs = this.refs.referencesTo(record.id);
      let removedRepositoryRef = false;
      if (!isIdPrefix(record.id, nameOrId)) {
        if (!force && isSingleReference(refs) && users.length > 0) {
          throw new ConflictError(
            `conflict: unable to remove repository reference ${JSON.stringify(nameOrId)} (must force) - container ${shortId(users[0].id)} is using its referenced image ${shortId(record.id)}`,
          );
        }
        const untag = referencesToUntag(withDefaultTag(parseNormalizedNamed(nameOrId)), refs);
        // moby reports only the reference named (the first); the digests of its repository go with it quietly.
        await this.untag(record.id, untag, records, untag.slice(1));
        if (untag.length < refs.length) return records;
        removedRepositoryRef = true;
      } else if (!isSingleReference(refs) && !force) {
        throw new ConflictError(
          `conflict: unable to delete ${shortId(record.id)} (must be forced) - image is referenced in multiple repositories`,
        );
      }
      const conflict = deleteConflict(record.id, users, force);
      if (conflict !== undefined) {
        if (removedRepositoryRef) return records;
        throw conflict;
      }
      await this.untag(record.id, this.refs.referencesTo(record.id), records);
      await this.deleteImage(record, records);
      return records;
    });
  }

  /**
   * `docker image prune`: dangling images (or, with `dangling=false`, every image no container
   * uses), narrowed by `until` and `label` filters; reports the layer bytes freed.
   */
  async prune(options: PruneOptions): Promise<PruneReport> {
    const filters = options.filters ?? {};
    validateFilters(filters, new Set(['dangling', 'until', 'label', 'label!']));
    const danglingOnly = (filters.dangling ?? ['true']).every((v) => v === 'true' || v === '1');
    const matches = imageFilter(Object.fromEntries(Object.entries(filters).filter(([name]) => name !== 'dangling')), () => 0);
    return this.queue.run(async () => {
      const sizes = new Map(this.layers.list().map((layer) => [layer.chainId, layer.size]));
      const records: DeleteRecord[] = [];
      for (const record of [...this.images.values()]) {
        const refs = this.refs.referencesTo(record.id);
        if (options.isInUse(record.id) || !matches({ record, refs })) continue;
        if (danglingOnly && refs.some((ref) => ref.digest === undefined)) continue;
        await this.untag(record.id, refs, records);
        await this.deleteImage(record, records);
      }
      const reclaimed = records.reduce((sum, r) => sum + ('Deleted' in r ? (sizes.get(r.Deleted) ?? 0) : 0), 0);
      return { ImagesDeleted: records, SpaceReclaimed: reclaimed };
    });
  }

  /**
   * Makes an image from a new layer on top of an optional parent (`import`, `commit`). The layer is
   * streamed and stored outside the queue, so a slow or stalled client delays only itself; the parent
   * and then the new layer are held meanwhile, so no other operation releases them. Only writing the
   * config and the tag waits for the queue. A crash before the config is written leaves an unused
   * layer, which the startup check removes.
   */
  async create(spec: NewImageSpec): Promise<string> {
    const tag = spec.tag === undefined ? undefined : withDefaultTag(parseNormalizedNamed(spec.tag));
    if (tag?.digest !== undefined) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
    if (spec.platform !== undefined && spec.platform.os !== 'linux') throw new InvalidArgumentError('operating system is not supported');
    const parent = spec.parent === undefined ? undefined : this.assertUsable(this.find(spec.parent), spec.parent);
    const parentTop = parent?.chain.at(-1) ?? null;
    const releaseParent = parentTop === null ? undefined : this.holds.hold(parentTop);
    try {
      if (spec.layer === undefined) return await this.queue.run(() => this.writeNewImage(spec, parent, undefined, tag));
      const layer = await this.layers.register(spec.layer, parentTop);
      return await this.withNewLayer(layer, async () => {
        await spec.onLayerStored?.();
        return this.queue.run(() => this.writeNewImage(spec, parent, layer, tag));
      });
    } finally {
      releaseParent?.();
    }
  }

  /** Runs `use` with a just-stored layer held; when it fails, the layer goes again unless something else uses it. */
  private async withNewLayer<T>(layer: LayerInfo, use: () => Promise<T>): Promise<T> {
    const release = this.holds.hold(layer.chainId);
    try {
      return await use();
    } catch (err) {
      release();
      // Best effort: what this leaves, the startup check removes; the caller needs the first error.
      await this.queue.run(() => this.releaseUnusedLayers([layer.chainId])).catch(() => undefined);
      throw err;
    } finally {
      release();
    }
  }

  private async writeNewImage(spec: NewImageSpec, parent: ImageRecord | undefined, layer: LayerInfo | undefined, tag: NamedReference | undefined): Promise<string> {
    const diffIds = [...(parent?.config.rootfs.diff_ids ?? []), ...(layer === undefined ? [] : [layer.diffId])];
    const created = spec.history.created ?? new Date().toISOString();
    const platform = parent?.config ?? spec.platform ?? { os: 'linux', architecture: HOST_ARCHITECTURE };
    const config: ImageConfig = {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
      created,
      ...(spec.author ? { author: spec.author } : {}),
      ...(spec.comment ? { comment: spec.comment } : {}),
      ...(spec.container !== undefined ? { container: spec.container } : {}),
      config: spec.runConfig,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [...(parent?.config.history ?? []), { ...spec.history, created, ...(layer === undefined ? { empty_layer: true } : {}) }],
    };
    const bytes = Buffer.from(JSON.stringify(config));
    const id = sha256Digest(bytes);
    await this.content.put(bytes, id);
    const record = this.indexImage(id, config, chainIds(diffIds));
    if (spec.event === 'create') this.report('create', id);
    if (tag !== undefined) {
      await this.refs.update((draft) => draft.set(tag, id));
      await this.markTagged(record);
      this.report('tag', id, familiarString(tag));
    }
    if (spec.event === 'import') this.report('import', id);
    return id;
  }

  private report(action: ImageEvent['action'], id: string, name = id): void {
    this.options.onEvent?.({ action, id, name });
  }

  /**
   * The startup check (fsck): removes layers no image or container uses (what a crash between
   * registering layers and writing a config leaves). Images with missing layers are not crash
   * leftovers and are kept (see the class comment). Returns what it repaired, for the log.
   */
  async check(): Promise<string[]> {
    return this.queue.run(async () => {
      const repaired: string[] = [];
      const held = this.heldLayers();
      const depth = (chainId: string): number => {
        let n = 0;
        for (let next = this.layers.get(chainId)?.parent ?? null; next !== null; next = this.layers.get(next)?.parent ?? null) n++;
        return n;
      };
      const unused = this.layers
        .list()
        .filter((layer) => !this.isLayerUsed(layer.chainId, held))
        .sort((a, b) => depth(b.chainId) - depth(a.chainId));
      for (const chainId of await this.releaseUnusedLayers(unused.map((layer) => layer.chainId))) {
        repaired.push(`removed layer ${chainId}: no image uses it`);
      }
      return repaired;
    });
  }

  /** Removes the references in one write; each is reported as an `untag` of the image unless listed in `quiet`. */
  private async untag(id: string, refs: NamedReference[], records: DeleteRecord[], quiet: NamedReference[] = []): Promise<void> {
    if (refs.length === 0) return;
    await this.refs.update((draft) => refs.forEach((ref) => draft.delete(ref)));
    for (const ref of refs) {
      records.push({ Untagged: familiarString(ref) });
      if (!quiet.includes(ref)) this.report('untag', id);
    }
  }

  private async deleteImage(record: ImageRecord, records: DeleteRecord[]): Promise<void> {
    this.images.delete(record.id);
    await this.content.delete(record.id);
    await this.metadata.delete(record.id);
    this.report('delete', record.id);
    records.push({ Deleted: record.id });
    for (const chainId of await this.releaseUnusedLayers([...record.chain].reverse())) records.push({ Deleted: chainId });
  }
}
