import { InvalidArgumentError } from '@berth/api';
import type { VolumeFilters } from './volume.js';

const LIST_FILTERS = new Set(['dangling', 'name', 'label', 'driver']);
const PRUNE_FILTERS = new Set(['all', 'label', 'label!']);

export interface FilterSubject {
  name: string;
  driver: string;
  labels: Record<string, string>;
  inUse: boolean;
}

function checkKeys(filters: VolumeFilters, allowed: Set<string>): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
}

function parseBool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${key}=${value}'`);
}

/** `label=key` or `label=key=value`: the volume has the key (with that value). */
function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** A predicate for `GET /volumes` filters: dangling, name (substring), label, driver. */
export function listFilter(filters: VolumeFilters): (v: FilterSubject) => boolean {
  checkKeys(filters, LIST_FILTERS);
  const dangling = filters.dangling?.map((value) => parseBool('dangling', value));
  return (v) =>
    (dangling === undefined || dangling.every((d) => d === !v.inUse)) &&
    (filters.name === undefined || filters.name.some((n) => v.name.includes(n))) &&
    (filters.driver === undefined || filters.driver.includes(v.driver)) &&
    (filters.label ?? []).every((l) => hasLabel(v.labels, l));
}

/** Which unused volumes `prune` removes: anonymous ones unless `all=true`, then the label filters. */
export function pruneFilter(filters: VolumeFilters, anonymousLabel: string): (v: FilterSubject) => boolean {
  checkKeys(filters, PRUNE_FILTERS);
  const all = (filters.all ?? []).some((value) => parseBool('all', value));
  return (v) =>
    !v.inUse &&
    (all || Object.hasOwn(v.labels, anonymousLabel)) &&
    (filters.label ?? []).every((l) => hasLabel(v.labels, l)) &&
    (filters['label!'] ?? []).every((l) => !hasLabel(v.labels, l));
}
