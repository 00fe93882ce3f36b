import { join } from 'node:path';
import type { ImageHistoryItem, ImageInspect, ImageSummary } from '@berth/api';
import type { ImageConfig } from '@berth/oci';
import { imageHistory } from './history.js';
import { toInspect, toSummary, type ImageRecord } from './image-views.js';
import { createdMs, imageFilter, referenceMatcher, type ImageFilters } from './list-filters.js';
import type { StoreContext } from './store-context.js';

export interface ResolvedImage {
  /** `sha256:<hex>` of the config. */
  id: string;
  config: ImageConfig;
  /** The top layer's chain ID; null for an image without layers. */
  chainId: string | null;
  repoTags: string[];
  repoDigests: string[];
}

export interface ListOptions {
  all?: boolean;
  filters?: ImageFilters;
}

/** An image to run: fails for one whose layers are not all stored. */
export function resolveImage({ catalog }: StoreContext, nameOrId: string): ResolvedImage {
  const record = catalog.findUsable(nameOrId);
  return { id: record.id, config: record.config, chainId: record.chain.at(-1) ?? null, ...catalog.namesOf(record.id) };
}

/**
 * `all` adds builds' intermediate images (moby lists them only then, as images with children). With a
 * `reference` filter only the matching names are shown, as moby does.
 */
export function listImages({ catalog, refs }: StoreContext, options: ListOptions): ImageSummary[] {
  const filters = options.filters ?? {};
  const matches = imageFilter(filters, (nameOrId) => createdMs(catalog.find(nameOrId)));
  const shown = referenceMatcher(filters);
  return catalog
    .all()
    .filter((record) => options.all === true || record.intermediate !== true)
    .filter((record) => matches({ record, refs: refs.referencesTo(record.id) }))
    .map((record) => toSummary(record, catalog.namesOf(record.id, shown)))
    .sort((a, b) => b.Created - a.Created);
}

export function historyOf({ catalog }: StoreContext, nameOrId: string): ImageHistoryItem[] {
  const record = catalog.find(nameOrId);
  return imageHistory(record, catalog.namesOf(record.id).repoTags, (chainId) => catalog.layerSize(chainId));
}

export function inspectImage(context: StoreContext, nameOrId: string): ImageInspect {
  const record = context.catalog.find(nameOrId);
  return toInspect(record, context.catalog.namesOf(record.id), graphDriverData(context, record));
}

/** overlay2's view of an image: the top layer as UpperDir, the rest as LowerDir (top first). */
function graphDriverData({ catalog, layers }: StoreContext, record: ImageRecord): Record<string, string> | null {
  const top = record.chain.at(-1);
  if (top === undefined || catalog.problemOf(record) !== undefined) return null;
  const [upper, ...lowers] = layers.diffDirs(top);
  const layerDir = join(upper, '..');
  return {
    ...(lowers.length > 0 ? { LowerDir: lowers.join(':') } : {}),
    MergedDir: join(layerDir, 'merged'),
    UpperDir: upper,
    WorkDir: join(layerDir, 'work'),
  };
}

/** For each image, the bytes of its layers that other images use too (`system df`'s SharedSize). */
export function sharedSizes({ catalog }: StoreContext): Map<string, number> {
  const users = new Map<string, number>();
  for (const record of catalog.all()) for (const chainId of record.chain) users.set(chainId, (users.get(chainId) ?? 0) + 1);
  const shared = new Map<string, number>();
  for (const record of catalog.all()) {
    shared.set(record.id, catalog.chainSize(record.chain.filter((chainId) => (users.get(chainId) ?? 0) > 1)));
  }
  return shared;
}
