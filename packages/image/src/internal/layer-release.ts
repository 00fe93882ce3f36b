import type { StoreContext } from './store-context.js';

/** Chain IDs held outside images (by containers and operations in flight), with every layer below them. */
function heldLayers({ layers, holds, options }: StoreContext): Set<string> {
  const held = new Set<string>();
  for (const top of [...(options.layersInUse?.() ?? []), ...holds.held()]) {
    let next: string | null = top;
    while (next !== null && !held.has(next)) {
      held.add(next);
      next = layers.get(next)?.parent ?? null;
    }
  }
  return held;
}

/** Every layer an image or a hold uses, gathered once per pass: a lookup per layer, not a scan of every image. */
function usedLayers(context: StoreContext): Set<string> {
  const used = heldLayers(context);
  for (const record of context.catalog.all()) for (const chainId of record.chain) used.add(chainId);
  return used;
}

/** Removes the given layers (top first) that no image uses; returns the ones removed. */
export async function releaseUnusedLayers(context: StoreContext, topFirst: string[]): Promise<string[]> {
  const { layers } = context;
  const released: string[] = [];
  const used = usedLayers(context);
  for (const chainId of topFirst) {
    if (used.has(chainId) || layers.get(chainId) === undefined) continue;
    if (layers.list().some((layer) => layer.parent === chainId)) continue;
    await layers.remove(chainId);
    released.push(chainId);
  }
  return released;
}

/**
 * The startup check (fsck): removes layers no image or container uses (what a crash between
 * registering layers and writing a config leaves). Images with missing layers are not crash
 * leftovers and are kept (see `ImageStore`). Returns what it repaired, for the log.
 */
export async function removeUnusedLayers(context: StoreContext): Promise<string[]> {
  const { layers } = context;
  return context.queue.run(async () => {
    const repaired: string[] = [];
    const used = usedLayers(context);
    const depth = (chainId: string): number => {
      let n = 0;
      for (let next = layers.get(chainId)?.parent ?? null; next !== null; next = layers.get(next)?.parent ?? null) n++;
      return n;
    };
    const unused = layers
      .list()
      .filter((layer) => !used.has(layer.chainId))
      .sort((a, b) => depth(b.chainId) - depth(a.chainId));
    for (const chainId of await releaseUnusedLayers(context, unused.map((layer) => layer.chainId))) {
      repaired.push(`removed layer ${chainId}: no image uses it`);
    }
    return repaired;
  });
}
