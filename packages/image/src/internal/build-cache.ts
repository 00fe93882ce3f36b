import { checkFilterKeys, parseUntil, type BuildCacheRecord } from '@berth/api';
import type { ImageRecord } from './image-views.js';
import { deleteImage, type DeleteRecord } from './remove-images.js';
import type { StoreContext } from './store-context.js';
import { saveMetadata } from './tag-image.js';

export interface BuildCachePruneOptions {
  /** Whether a container uses the image (such images are never pruned). */
  isInUse: (id: string) => boolean;
  /** Bytes of cache to keep: the oldest entries go first until the rest fit. */
  keepStorage?: number;
  filters?: Record<string, string[]>;
}

export interface BuildCachePruneReport {
  CachesDeleted: string[];
  SpaceReclaimed: number;
}

/** The image a build step with this cache key made, if it is still here and usable. */
export function findCached({ catalog }: StoreContext, key: string): string | undefined {
  return catalog.all().find((record) => record.cacheKey === key && catalog.problemOf(record) === undefined)?.id;
}

/** A build's result: no longer hidden as build cache. */
export async function publishImage(context: StoreContext, id: string): Promise<void> {
  await context.queue.run(async () => {
    const record = context.catalog.get(id);
    if (record?.intermediate !== true) return;
    record.intermediate = false;
    await saveMetadata(context, record);
  });
}

/** The layer an intermediate image added (none for a metadata-only step). */
function ownLayer(record: ImageRecord): string | undefined {
  return record.config.history?.at(-1)?.empty_layer === true ? undefined : record.chain.at(-1);
}

function cacheEntryId(record: ImageRecord): string {
  return record.id.slice('sha256:'.length);
}

/** `system df`'s build cache: one record per intermediate image, sized by the layer it added. */
export function buildCacheUsage(context: StoreContext, isInUse: (id: string) => boolean): BuildCacheRecord[] {
  const { catalog } = context;
  const visibleLayers = new Set(catalog.all().flatMap((record) => (record.intermediate === true ? [] : record.chain)));
  const byTop = new Map(catalog.all().map((record) => [record.chain.at(-1), record]));
  return catalog
    .all()
    .filter((record) => record.intermediate === true)
    .map((record) => {
      const layer = ownLayer(record);
      const parent = record.chain.length > 1 ? byTop.get(record.chain.at(-2)) : undefined;
      const created = record.config.created ?? new Date(0).toISOString();
      return {
        ID: cacheEntryId(record),
        Parents: parent === undefined ? null : [cacheEntryId(parent)],
        Type: 'regular',
        Description: record.config.history?.at(-1)?.created_by ?? '',
        InUse: isInUse(record.id),
        Shared: layer !== undefined && visibleLayers.has(layer),
        Size: layer === undefined ? 0 : catalog.layerSize(layer),
        CreatedAt: created,
        LastUsedAt: record.lastTagTime ?? created,
        UsageCount: 1,
      };
    });
}

/** `docker builder prune`: removes intermediate images no container uses (the oldest first when keeping some). */
export async function pruneBuildCache(context: StoreContext, options: BuildCachePruneOptions): Promise<BuildCachePruneReport> {
  const filters = options.filters ?? {};
  checkFilterKeys(filters, new Set(['until']));
  const now = new Date();
  const until = filters.until?.length ? Math.min(...filters.until.map((value) => parseUntil(value, now))) : undefined;
  return context.queue.run(async () => {
    const sizes = new Map(context.layers.list().map((layer) => [layer.chainId, layer.size]));
    const candidates = context.catalog
      .all()
      .filter((record) => record.intermediate === true && !options.isInUse(record.id))
      .filter((record) => until === undefined || Date.parse(record.config.created ?? '') < until)
      .sort((a, b) => Date.parse(a.config.created ?? '') - Date.parse(b.config.created ?? ''));
    let kept = candidates.reduce((sum, record) => sum + (sizes.get(ownLayer(record) ?? '') ?? 0), 0);
    const records: DeleteRecord[] = [];
    const deleted: string[] = [];
    for (const record of candidates) {
      if (options.keepStorage !== undefined && options.keepStorage > 0 && kept <= options.keepStorage) break;
      // A build may have taken it up since the candidates were listed.
      if (options.isInUse(record.id)) continue;
      kept -= sizes.get(ownLayer(record) ?? '') ?? 0;
      await deleteImage(context, record, records);
      deleted.push(cacheEntryId(record));
    }
    const reclaimed = records.reduce((sum, r) => sum + ('Deleted' in r ? (sizes.get(r.Deleted) ?? 0) : 0), 0);
    return { CachesDeleted: deleted, SpaceReclaimed: reclaimed };
  });
}
