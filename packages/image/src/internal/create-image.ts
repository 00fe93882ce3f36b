import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '@berth/api';
import type { LayerInfo, LinkableFiles } from '@berth/layer';
import { HOST_ARCHITECTURE, type HistoryEntry, type ImageConfig, type ImageRunConfig, type Platform } from '@berth/oci';
import { parseNormalizedNamed, sha256Digest, withDefaultTag, type NamedReference } from '@berth/reference';
import { chainIds } from './image-config.js';
import type { ImageRecord } from './image-views.js';
import { releaseUnusedLayers } from './layer-release.js';
import { reportEvent, type StoreContext } from './store-context.js';
import { saveMetadata, setTag } from './tag-image.js';

/** What `import` and `commit` make: an optional parent image, a new layer and the run config. */
export interface NewImageSpec {
  /** Image ID whose layers, platform and history the new image extends. */
  parent?: string;
  /** The new layer as an (optionally compressed) tar; without it the image adds no layer. */
  layer?: Readable;
  /** Files of the tree `layer` was made from, which storing it may link instead of writing (a throwaway container's). */
  layerFiles?: LinkableFiles;
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
  /**
   * A build step's result: recorded under the step's cache key and hidden as build cache until the
   * build publishes it (an image that already exists keeps its visibility).
   */
  buildCache?: { key: string };
}

/**
 * Makes an image from a new layer on top of an optional parent (`import`, `commit`). The layer is
 * streamed and stored outside the queue, so a slow or stalled client delays only itself; the parent
 * and then the new layer are held meanwhile, so no other operation releases them. Only writing the
 * config and the tag waits for the queue. A crash before the config is written leaves an unused
 * layer, which the startup check removes.
 */
export async function createImage(context: StoreContext, spec: NewImageSpec): Promise<string> {
  const tag = spec.tag === undefined ? undefined : withDefaultTag(parseNormalizedNamed(spec.tag));
  if (tag?.digest !== undefined) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
  if (spec.platform !== undefined && spec.platform.os !== 'linux') throw new InvalidArgumentError('operating system is not supported');
  const parent = spec.parent === undefined ? undefined : context.catalog.findUsable(spec.parent);
  const parentTop = parent?.chain.at(-1) ?? null;
  const releaseParent = parentTop === null ? undefined : context.holds.hold(parentTop);
  try {
    if (spec.layer === undefined) return await context.queue.run(() => writeNewImage(context, spec, parent, undefined, tag));
    const layer = await context.layers.register(spec.layer, parentTop, spec.layerFiles !== undefined ? { linkable: spec.layerFiles } : {});
    return await withNewLayer(context, layer, async () => {
      await spec.onLayerStored?.();
      return context.queue.run(() => writeNewImage(context, spec, parent, layer, tag));
    });
  } finally {
    releaseParent?.();
  }
}

/** Runs `use` with a just-stored layer held; when it fails, the layer goes again unless something else uses it. */
async function withNewLayer<T>(context: StoreContext, layer: LayerInfo, use: () => Promise<T>): Promise<T> {
  const release = context.holds.hold(layer.chainId);
  try {
    return await use();
  } catch (err) {
    release();
    // Best effort: what this leaves, the startup check removes; the caller needs the first error.
    await context.queue.run(() => releaseUnusedLayers(context, [layer.chainId])).catch(() => undefined);
    throw err;
  } finally {
    release();
  }
}

async function writeNewImage(
  context: StoreContext,
  spec: NewImageSpec,
  parent: ImageRecord | undefined,
  layer: LayerInfo | undefined,
  tag: NamedReference | undefined,
): Promise<string> {
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
  await context.content.put(bytes, id);
  const known = context.catalog.has(id);
  const record = context.catalog.index(id, config, chainIds(diffIds));
  if (spec.buildCache !== undefined) {
    record.cacheKey = spec.buildCache.key;
    if (!known) record.intermediate = true;
    await saveMetadata(context, record);
  }
  if (spec.event === 'create') reportEvent(context, 'create', id);
  if (tag !== undefined) await setTag(context, record, tag);
  if (spec.event === 'import') reportEvent(context, 'import', id);
  return id;
}
