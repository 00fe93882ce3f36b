import { checkFilterKeys, matchesLabels, parseFilterBool } from '@berth/api';
import type { VolumeFilters } from './volume.js';

const LIST_FILTERS = new Set(['dangling', 'name', 'label', 'driver']);
const PRUNE_FILTERS = new Set(['all', 'label', 'label!']);

export interface FilterSubject {
  name: string;
  driver: string;
  labels: Record<string, string>;
  inUse: boolean;
}

/** A predicate for `GET /volumes` filters: dangling, name (substring), label, driver. */
export function listFilter(filters: VolumeFilters): (v: FilterSubject) => boolean {
  checkFilterKeys(filters, LIST_FILTERS);
  const dangling = filters.dangling?.map((value) => parseFilterBool('dangling', value));
  return (v) =>
    (dangling === undefined || dangling.every((d) => d === !v.inUse)) &&
    (filters.name === undefined || filters.name.some((n) => v.name.includes(n))) &&
    (filters.driver === undefined || filters.driver.includes(v.driver)) &&
    matchesLabels(v.labels, filters.label ?? []);
}

/** Which unused volumes `prune` removes: anonymous ones unless `all=true`, then the label filters. */
export function pruneFilter(filters: VolumeFilters, anonymousLabel: string): (v: FilterSubject) => boolean {
  checkFilterKeys(filters, PRUNE_FILTERS);
  const all = (filters.all ?? []).some((value) => parseFilterBool('all', value));
  return (v) =>
    !v.inUse &&
    (all || Object.hasOwn(v.labels, anonymousLabel)) &&
    matchesLabels(v.labels, filters.label ?? []) &&
    (filters['label!'] ?? []).every((l) => !matchesLabels(v.labels, [l]));
}
