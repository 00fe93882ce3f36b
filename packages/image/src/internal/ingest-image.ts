import { InvalidArgumentError } from '@berth/api';
import { familiarName, familiarString, parseNormalizedNamed, sha256Digest, type NamedReference } from '@berth/reference';
import { chainIds, parseImageConfig } from './image-config.js';
import { releaseUnusedLayers } from './layer-release.js';
import { registerLayers, type LayerSource } from './register-layers.js';
import { reportEvent, type StoreContext } from './store-context.js';
import { markTagged } from './tag-image.js';

/** An image that arrives as its parts, e.g. from a registry: its config and its layers in order. */
export interface IngestSpec {
  /** The config document; its sha256 is the image ID. */
  configBytes: Buffer;
  /** Bottom first, one per diff ID; a layer the store already has is never opened. */
  layers: LayerSource[];
  /** Tags and digest references (`name@sha256:…`) to point at the image; the first is the one pulled. */
  references: string[];
  /** Told of each layer in turn: registered now, or already there. */
  onLayer?: (index: number, registered: boolean) => void;
}

export interface IngestResult {
  id: string;
  /** False when the image and every reference were already as asked. */
  updated: boolean;
}

/**
 * Registers the layers the store lacks (each checked against its diff ID), then the config, then the
 * references; a failure releases the layers it added. Reports one `pull` event, for the first reference.
 */
export async function ingestImage(context: StoreContext, spec: IngestSpec): Promise<IngestResult> {
  const id = sha256Digest(spec.configBytes);
  const config = parseImageConfig(spec.configBytes, id);
  const diffIds = config.rootfs.diff_ids;
  if (spec.layers.length !== diffIds.length) {
    throw new InvalidArgumentError(`invalid image ${id}: ${spec.layers.length} layers for ${diffIds.length} diff IDs`);
  }
  const references: NamedReference[] = spec.references.map((reference) => parseNormalizedNamed(reference));
  const chain = chainIds(diffIds);
  return context.queue.run(async () => {
    const existed = context.catalog.get(id) !== undefined;
    const added: string[] = [];
    try {
      await registerLayers(context.layers, diffIds, spec.layers, {
        chain,
        onRegistered: (chainId) => added.push(chainId),
        ...(spec.onLayer && { onLayer: spec.onLayer }),
      });
    } catch (err) {
      await releaseUnusedLayers(context, added.reverse());
      throw err;
    }
    await context.content.put(spec.configBytes, id);
    const record = context.catalog.index(id, config, chain);
    const moved = references.filter((reference) => context.refs.get(reference) !== id);
    if (moved.length > 0) {
      await context.refs.update((draft) => moved.forEach((reference) => draft.set(reference, id)));
      if (moved.some((reference) => reference.digest === undefined)) await markTagged(context, record);
    }
    // One event per pull, for the reference pulled (the first), as moby reports it.
    if (references[0] !== undefined) reportEvent(context, 'pull', familiarString(references[0]), familiarName(references[0]));
    return { id, updated: !existed || moved.length > 0 };
  });
}
