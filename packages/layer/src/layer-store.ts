import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError, InternalError, InvalidArgumentError, NotFoundError } from '@berth/api';
import { createDigester } from '@berth/reference';
import { fsyncDirectory } from './atomic-file.js';
import { chainIdOf } from './chain-id.js';
import { mountOverlayRoot, unmountOverlayRoot } from './container-root.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, unpackArchive } from './extract.js';
import type { RemappedLayers } from './remapped-layers.js';
import { SHIFTED_DIR } from './shifted-layers.js';
import { readLayerMetadata, writeLayerMetadata } from './layer-metadata.js';
import { LayerQuarantine } from './layer-quarantine.js';
import { AdoptedLayerTar, LayerTarWriter, type KeptLayerTar } from './layer-tar-writer.js';
import type { LayerInfo, LayerRecord } from './layer-metadata.js';
import type { LinkableFiles } from './linkable-files.js';

const LAYER_DIR_PATTERN = /^[a-f0-9]{64}$/;
const LINKS_DIR = 'l';
const STAGING_DIR = 'tmp';
/** The lower dir of a container root without an image (overlay needs at least one). */
const EMPTY_DIR = 'empty';
const LAYER_TAR = 'layer.tar';
/** moby's limit on the layers in one chain (layer/layer_store.go maxDepth). */
const MAX_LAYER_DEPTH = 125;

export interface LayerStoreOptions {
  maxDecompressedBytes?: number;
  /** Told what opening found and set aside (quarantined layer directories), for the daemon's log. */
  log?: (message: string) => void;
}

function hexOf(chainId: string): string {
  return chainId.slice(chainId.indexOf(':') + 1);
}

function infoOf(record: LayerRecord): LayerInfo {
  return { chainId: record.chainId, diffId: record.diffId, parent: record.parent, size: record.size };
}

/** Where a layer's bytes may already be on disk, so that storing it writes them once less. */
export interface LayerSourceOptions {
  /** A file holding exactly the uncompressed bytes the tar streams (a staged, uncompressed layer): linked as the kept tar. */
  tarFile?: string;
  /** The files of the tree the tar was made from (a throwaway container's upper dir): linked as the layer's files. */
  linkable?: LinkableFiles;
}

/** A layer extracted by `LayerStore.prepare`, not in the store yet: `commit` puts it there, `discard` removes it. */
export interface PreparedLayer {
  /** The sha256 of its uncompressed tar. */
  readonly diffId: string;
  /** Its uncompressed size. */
  readonly size: number;
  /** Removes its staging; nothing once it has been committed or discarded. */
  discard(): Promise<void>;
}

class StagedLayer implements PreparedLayer {
  private staging: string | undefined;

  constructor(
    readonly store: LayerStore,
    staging: string,
    readonly diffId: string,
    readonly size: number,
  ) {
    this.staging = staging;
  }

  /** Its staging dir, for the one commit that moves it into the store. */
  take(): string {
    if (this.staging === undefined) throw new InternalError(`layer ${this.diffId} was committed or discarded already`);
    const staging = this.staging;
    this.staging = undefined;
    return staging;
  }

  async discard(): Promise<void> {
    const staging = this.staging;
    this.staging = undefined;
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Layers on disk (moby's layer store + overlay2 driver):
 *   <root>/<chainID hex>/diff           the extracted layer
 *   <root>/<chainID hex>/metadata.json  diffID, chainID, parent, size, link
 *   <root>/<chainID hex>/layer.tar      the uncompressed tar exactly as registered (its sha256 is the
 *                                       diffID), kept so save and push reproduce the layer byte for byte
 *   <root>/l/<link> -> ../<hex>/diff    short names that keep overlay's lowerdir option under a page
 *   <root>/tmp/                         staging; anything there at open is debris of an interrupted write
 *   <root>/quarantine/                  layer dirs whose metadata is missing or corrupt (layer-quarantine.ts)
 * A layer dir only ever appears complete (renamed in from staging with its metadata), so one without
 * valid metadata is damage, not a crash leftover: it is quarantined, never deleted.
 */
export class LayerStore {
  private constructor(
    private readonly root: string,
    private readonly maxBytes: number,
    private readonly layers: Map<string, LayerRecord>,
    private readonly quarantine: LayerQuarantine,
  ) {}

  static async open(root: string, options: LayerStoreOptions = {}): Promise<LayerStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    await rm(join(root, STAGING_DIR), { recursive: true, force: true });
    for (const dir of [STAGING_DIR, LINKS_DIR, EMPTY_DIR]) await mkdir(join(root, dir), { recursive: true, mode: 0o755 });
    const quarantine = await LayerQuarantine.open(root);
    const layers = new Map<string, LayerRecord>();
    for (const name of await readdir(root)) {
      if (!LAYER_DIR_PATTERN.test(name)) continue;
      const reading = await readLayerMetadata(join(root, name));
      if ('record' in reading && hexOf(reading.record.chainId) === name) {
        layers.set(reading.record.chainId, reading.record);
        continue;
      }
      const problem = 'problem' in reading ? reading.problem : `its metadata names layer ${reading.record.chainId}`;
      const moved = await quarantine.admit(join(root, name), name);
      options.log?.(`quarantined layer directory ${join(root, name)} (${problem}): moved to ${moved}; nothing was deleted`);
    }
    const store = new LayerStore(root, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, layers, quarantine);
    await store.repairLinks();
    await store.removeOrphanedShiftedCopies();
    return store;
  }

  /** Links are made before a layer appears and removed after it goes: fix what a crash left in between. */
  private async repairLinks(): Promise<void> {
    const wanted = new Map([...this.layers.values()].map((r) => [r.link, this.linkTarget(r)]));
    const linksDir = join(this.root, LINKS_DIR);
    for (const name of await readdir(linksDir)) {
      const target = await readlink(join(linksDir, name)).catch(() => undefined);
      if (wanted.get(name) === target) wanted.delete(name);
      else await rm(join(linksDir, name), { recursive: true, force: true });
    }
    for (const [name, target] of wanted) await symlink(target, join(linksDir, name));
  }

  private linkTarget(record: LayerRecord): string {
    return `../${hexOf(record.chainId)}/diff`;
  }

  /**
   * Extracts a layer (plain, gzip or zstd tar) on `parent` and stores it under its chain ID, with its
   * uncompressed tar kept; see LayerSourceOptions for bytes it can link instead of writing.
   */
  async register(tar: NodeJS.ReadableStream | Readable, parent: string | null, options: LayerSourceOptions = {}): Promise<LayerInfo> {
    this.checkDepth(parent);
    return this.commit(await this.prepare(tar, options), parent);
  }

  /**
   * The first half of `register`: extracts the layer into staging, outside the store, so that it can
   * be done while nothing else waits (a pull extracts while it downloads, then commits its layers at
   * once). The caller commits or discards it.
   */
  async prepare(tar: NodeJS.ReadableStream | Readable, options: LayerSourceOptions = {}): Promise<PreparedLayer> {
    const source = tar instanceof Readable ? tar : new Readable().wrap(tar);
    const staging = await mkdtemp(join(this.root, STAGING_DIR, 'layer-'));
    try {
      const diff = join(staging, 'diff');
      await mkdir(diff, { mode: 0o755 });
      const digester = createDigester();
      const keptPath = join(staging, LAYER_TAR);
      const tarCopy: KeptLayerTar =
        options.tarFile === undefined ? await LayerTarWriter.create(keptPath) : new AdoptedLayerTar(options.tarFile, keptPath);
      let bytes: number;
      try {
        ({ bytes } = await unpackArchive(source, diff, {
          maxBytes: this.maxBytes,
          whiteouts: true,
          ...(options.linkable !== undefined ? { linkable: options.linkable } : {}),
          onData: (chunk) => {
            digester.update(chunk);
            tarCopy.write(chunk);
          },
        }));
        await tarCopy.finish();
      } finally {
        await tarCopy.close();
      }
      return new StagedLayer(this, staging, digester.digest(), bytes);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** Stores a prepared layer on `parent` (or finds the same one there already); the staging is gone either way. */
  async commit(prepared: PreparedLayer, parent: string | null): Promise<LayerInfo> {
    if (!(prepared instanceof StagedLayer) || prepared.store !== this) throw new InternalError('a layer prepared by another store');
    const staging = prepared.take();
    let linkPath: string | undefined;
    try {
      this.checkDepth(parent);
      const chainId = chainIdOf(parent, prepared.diffId);
      const existing = this.layers.get(chainId);
      if (existing !== undefined) return infoOf(existing);

      const record: LayerRecord = { chainId, diffId: prepared.diffId, parent, size: prepared.size, link: randomBytes(10).toString('hex') };
      await writeLayerMetadata(staging, record);
      linkPath = join(this.root, LINKS_DIR, record.link);
      await symlink(this.linkTarget(record), linkPath);
      try {
        await rename(staging, join(this.root, hexOf(chainId)));
      } catch (err) {
        const code = errnoCode(err);
        const concurrent = this.layers.get(chainId);
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && concurrent !== undefined) return infoOf(concurrent);
        throw err;
      }
      linkPath = undefined;
      await fsyncDirectory(this.root);
      this.layers.set(chainId, record);
      return infoOf(record);
    } finally {
      if (linkPath !== undefined) await unlink(linkPath).catch(() => undefined);
      await rm(staging, { recursive: true, force: true });
    }
  }

  private checkDepth(parent: string | null): void {
    if (parent !== null && this.chain(parent).length >= MAX_LAYER_DEPTH) throw new InvalidArgumentError('max depth exceeded');
  }

  get(chainId: string): LayerInfo | undefined {
    const record = this.layers.get(chainId);
    return record === undefined ? undefined : infoOf(record);
  }

  /** Where a layer that is not in the store sits in quarantine, if that is why it is missing. */
  quarantinedAt(chainId: string): string | undefined {
    return this.layers.has(chainId) ? undefined : this.quarantine.pathOf(chainId);
  }

  list(): LayerInfo[] {
    return [...this.layers.values()].map(infoOf);
  }

  /** The uncompressed tar a layer was registered from; its sha256 is the layer's diffID. */
  async tarPath(chainId: string): Promise<string> {
    const path = join(this.root, hexOf(this.record(chainId).chainId), LAYER_TAR);
    try {
      await access(path);
    } catch (err) {
      throw new InternalError(`layer ${chainId} has no stored tar (registered before tars were kept)`, { cause: err });
    }
    return path;
  }

  private record(chainId: string): LayerRecord {
    const record = this.layers.get(chainId);
    if (record === undefined) throw new NotFoundError(`layer does not exist: ${chainId}`);
    return record;
  }

  /** Removes a layer's directory (caller guarantees nothing uses it; layers built on it must go first). */
  async remove(chainId: string): Promise<void> {
    const record = this.record(chainId);
    const child = [...this.layers.values()].find((r) => r.parent === chainId);
    if (child !== undefined) throw new ConflictError(`layer ${chainId} is the parent of layer ${child.chainId}`);
    this.layers.delete(chainId);
    // Renaming first makes the removal atomic: a crash leaves debris in tmp/, never half a layer.
    const doomed = join(this.root, STAGING_DIR, `remove-${hexOf(chainId)}-${randomBytes(4).toString('hex')}`);
    await rename(join(this.root, hexOf(chainId)), doomed);
    await rm(join(this.root, LINKS_DIR, record.link), { force: true });
    await rm(doomed, { recursive: true, force: true });
    for (const pair of await readdir(join(this.root, SHIFTED_DIR)).catch(() => [])) {
      await rm(join(this.root, SHIFTED_DIR, pair, record.link), { recursive: true, force: true });
    }
  }

  private chain(chainId: string): LayerRecord[] {
    const chain: LayerRecord[] = [];
    let next: string | null = chainId;
    while (next !== null) {
      const record = this.record(next);
      if (chain.includes(record)) throw new NotFoundError(`layer chain of ${chainId} is corrupt`);
      chain.push(record);
      next = record.parent;
    }
    return chain;
  }

  /** The diff dirs of a chain, top layer first (overlay lowerdir order). */
  diffDirs(chainId: string): string[] {
    return this.chain(chainId).map((r) => join(this.root, hexOf(r.chainId), 'diff'));
  }

  /**
   * Mounts overlayfs of the chain + `<dir>/upper` at `<dir>/rootfs` and returns that path; idempotent.
   * `remapped`: the layers as a remapped container sees them, through idmapped mounts or shifted copies.
   * `volatile`: a root thrown away with its container (see mountOverlayRoot).
   */
  async mountContainerRoot(dir: string, parentChainId: string | null, remapped?: RemappedLayers, options: { volatile?: boolean } = {}): Promise<string> {
    const chain = parentChainId === null ? [] : this.chain(parentChainId);
    const lowerdirs = chain.length === 0 ? [EMPTY_DIR] : chain.map((r) => `${LINKS_DIR}/${r.link}`);
    if (remapped === undefined) return mountOverlayRoot(dir, lowerdirs, this.root, options);
    return remapped.mountRoot(dir, {
      root: this.root,
      layers: chain.map((r) => ({ diff: join(this.root, hexOf(r.chainId), 'diff'), link: r.link })),
      lowerdirs,
      emptyDir: join(this.root, EMPTY_DIR),
      stagingDir: join(this.root, STAGING_DIR),
      volatile: options.volatile,
    });
  }

  /** Shifted copies whose layer is gone (a crash between the layer's removal and theirs). */
  private async removeOrphanedShiftedCopies(): Promise<void> {
    const links = new Set([...this.layers.values()].map((r) => r.link));
    const base = join(this.root, SHIFTED_DIR);
    for (const pair of await readdir(base).catch(() => [])) {
      for (const name of await readdir(join(base, pair))) {
        if (!links.has(name)) await rm(join(base, pair, name), { recursive: true, force: true });
      }
    }
  }

  /** Idempotent; detaches lazily if the mount is busy. */
  async unmountContainerRoot(dir: string): Promise<void> {
    await unmountOverlayRoot(dir);
  }
}
