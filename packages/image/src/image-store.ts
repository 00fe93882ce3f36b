import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  type ImageInspect,
  type ImageSummary,
  type ProgressMessage,
} from '@berth/api';
import { extractTar, type LayerStore } from '@berth/layer';
import type { ImageConfig } from '@berth/oci';
import {
  familiarName,
  familiarString,
  isDigest,
  isImageIdPrefix,
  isImageIdentifier,
  parseNormalizedNamed,
  sha256Digest,
  shortId,
  withDefaultTag,
  type NamedReference,
} from '@berth/reference';
import { ContentStore } from './internal/content-store.js';
import { isIdPrefix, isSingleReference, referencesToUntag } from './internal/delete-rules.js';
import { chainIds, parseImageConfig } from './internal/image-config.js';
import { toInspect, toSummary, type ImageNames, type ImageRecord } from './internal/image-views.js';
import { MetadataStore } from './internal/metadata-store.js';
import { prepareLoad, type PreparedImage } from './internal/prepare-load.js';
import { ReferenceStore } from './internal/reference-store.js';
import { registerLayers } from './internal/register-layers.js';
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

export interface ImageStoreOptions {
  /** Told about images skipped or references dropped while opening (e.g. a layer went missing). */
  log?: (message: string) => void;
}

export interface LoadOptions {
  onProgress?: (message: ProgressMessage) => void;
}

export interface RemoveOptions {
  /** Remove an image referenced from several repositories by ID. */
  force?: boolean;
  /** Accepted for API parity; images here have no parent chain to prune. */
  noPrune?: boolean;
}

export type DeleteRecord = { Untagged: string } | { Deleted: string };

/**
 * Image configs, tags and their layers (moby's image/ + daemon/images on the graphdriver store):
 *   <root>/blobs/sha256/<hex>           image configs; the hex is the image ID
 *   <root>/repositories.json            tags and digest references -> image IDs
 *   <root>/metadata/sha256/<hex>.json   local facts (last tag time)
 *   <root>/tmp/                         staging for archives being loaded; cleared on open
 * Reads are served from memory; mutations run one at a time.
 */
export class ImageStore {
  private readonly images = new Map<string, ImageRecord>();
  private readonly queue = new SerialQueue();

  private constructor(
    private readonly tmpDir: string,
    private readonly layers: LayerStore,
    private readonly content: ContentStore,
    private readonly refs: ReferenceStore,
    private readonly metadata: MetadataStore,
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
    );
    await store.restore(options.log ?? (() => undefined));
    return store;
  }

  /** Rebuilds the in-memory index; images whose layers are gone are skipped and their names dropped. */
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
      const missing = chain.find((chainId) => this.layers.get(chainId) === undefined);
      if (missing !== undefined) {
        log(`skipping image ${id}: layer ${missing} is missing`);
        continue;
      }
      const { lastTagTime } = await this.metadata.get(id);
      this.images.set(id, { id, config, chain, size: this.chainSize(chain), ...(lastTagTime !== undefined ? { lastTagTime } : {}) });
    }
    const orphans = this.refs.all().filter(({ id }) => !this.images.has(id));
    if (orphans.length > 0) {
      for (const { ref, id } of orphans) log(`dropping reference ${familiarString(ref)}: image ${id} is not available`);
      await this.refs.update((draft) => orphans.forEach(({ ref }) => draft.delete(ref)));
    }
  }

  private chainSize(chain: string[]): number {
    return chain.reduce((sum, chainId) => sum + (this.layers.get(chainId)?.size ?? 0), 0);
  }

  private namesOf(id: string): ImageNames {
    const refs = this.refs.referencesTo(id);
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

  resolve(nameOrId: string): ResolvedImage {
    const record = this.find(nameOrId);
    return { id: record.id, config: record.config, chainId: record.chain.at(-1) ?? null, ...this.namesOf(record.id) };
  }

  /** `all` is accepted for API parity: without parent images every image is a top-level one. */
  list(_options: { all?: boolean } = {}): ImageSummary[] {
    return [...this.images.values()]
      .map((record) => toSummary(record, this.namesOf(record.id)))
      .sort((a, b) => b.Created - a.Created);
  }

  inspect(nameOrId: string): ImageInspect {
    const record = this.find(nameOrId);
    return toInspect(record, this.namesOf(record.id), this.graphDriverData(record));
  }

  /** overlay2's view of an image: the top layer as UpperDir, the rest as LowerDir (top first). */
  private graphDriverData(record: ImageRecord): Record<string, string> | null {
    const top = record.chain.at(-1);
    if (top === undefined) return null;
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
      await this.refs.update((draft) => draft.set(withDefaultTag(ref), record.id));
      await this.markTagged(record);
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
      await extractTar(archive, staging, { whiteouts: false });
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
    let record = this.images.get(image.id);
    if (record === undefined) {
      record = { id: image.id, config: image.config, chain, size: this.chainSize(chain) };
      this.images.set(image.id, record);
    }
    if (image.tags.length === 0) return [`Loaded image ID: ${image.id}`];

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
    return image.tags.map((tag) => `Loaded image: ${familiarString(tag)}`);
  }

  private isLayerUsed(chainId: string): boolean {
    for (const record of this.images.values()) if (record.chain.includes(chainId)) return true;
    return false;
  }

  /** Removes the given layers (top first) that no image uses; returns the ones removed. */
  private async releaseUnusedLayers(topFirst: string[]): Promise<string[]> {
    const released: string[] = [];
    for (const chainId of topFirst) {
      if (this.isLayerUsed(chainId) || this.layers.get(chainId) === undefined) continue;
      await this.layers.remove(chainId);
      released.push(chainId);
    }
    return released;
  }

  /**
   * `docker rmi`: by name it untags, deleting the image only when that was its last name; by ID it
   * deletes, untagging quietly only names in a single repository unless forced (moby's rules).
   * Whether containers use the image is the caller's business.
   */
  async remove(nameOrId: string, options: RemoveOptions = {}): Promise<DeleteRecord[]> {
    return this.queue.run(async () => {
      const record = this.find(nameOrId);
      const records: DeleteRecord[] = [];
      const refs = this.refs.referencesTo(record.id);
      let untag: NamedReference[];
      if (!isIdPrefix(record.id, nameOrId)) {
        untag = referencesToUntag(withDefaultTag(parseNormalizedNamed(nameOrId)), refs);
        if (untag.length < refs.length) {
          await this.untag(untag, records);
          return records;
        }
      } else if (isSingleReference(refs) || options.force === true) {
        untag = refs;
      } else {
        throw new ConflictError(
          `conflict: unable to delete ${shortId(record.id)} (must be forced) - image is referenced in multiple repositories`,
        );
      }
      await this.untag(untag, records);
      await this.deleteImage(record, records);
      return records;
    });
  }

  private async untag(refs: NamedReference[], records: DeleteRecord[]): Promise<void> {
    if (refs.length === 0) return;
    await this.refs.update((draft) => refs.forEach((ref) => draft.delete(ref)));
    for (const ref of refs) records.push({ Untagged: familiarString(ref) });
  }

  private async deleteImage(record: ImageRecord, records: DeleteRecord[]): Promise<void> {
    this.images.delete(record.id);
    await this.content.delete(record.id);
    await this.metadata.delete(record.id);
    records.push({ Deleted: record.id });
    for (const chainId of await this.releaseUnusedLayers([...record.chain].reverse())) records.push({ Deleted: chainId });
  }
}
