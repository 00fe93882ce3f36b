import { InvalidArgumentError, checkFilterKeys, matchesLabels, parseFilterBool, parseUntil } from '@berth/api';
import { isBuiltIn, type NetworkRecord } from './network-record.js';

const LIST_FILTERS = new Set(['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
const PRUNE_FILTERS = new Set(['until', 'label', 'label!']);

/** `GET /networks` filters, as moby's network list filters them. */
export function networkListFilter(filters: Record<string, string[]>, inUse: (n: NetworkRecord) => boolean): (n: NetworkRecord) => boolean {
  checkFilterKeys(filters, LIST_FILTERS);
  for (const type of filters.type ?? []) {
    if (type !== 'custom' && type !== 'builtin') throw new InvalidArgumentError(`invalid filter: 'type'='${type}'`);
  }
  const dangling = filters.dangling?.map((v) => parseFilterBool('dangling', v));
  const any = (key: string, test: (value: string) => boolean) => filters[key] === undefined || filters[key]!.some(test);
  return (n) =>
    any('driver', (d) => n.driver === d) &&
    any('id', (id) => n.id.startsWith(id)) &&
    any('name', (name) => n.name.includes(name)) &&
    any('scope', (scope) => scope === 'local') &&
    any('type', (type) => (type === 'builtin') === isBuiltIn(n)) &&
    matchesLabels(n.labels, filters.label ?? []) &&
    (dangling === undefined || dangling.every((d) => d === (!isBuiltIn(n) && !inUse(n))));
}

/** `POST /networks/prune` filters: `until` (a time or a duration ago), `label`, `label!`. */
export function networkPruneFilter(filters: Record<string, string[]>, now: Date): (n: NetworkRecord) => boolean {
  checkFilterKeys(filters, PRUNE_FILTERS);
  const until = (filters.until ?? []).map((value) => parseUntil(value, now));
  return (n) =>
    until.every((limit) => Date.parse(n.created) < limit) &&
    matchesLabels(n.labels, filters.label ?? []) &&
    (filters['label!'] ?? []).every((l) => !matchesLabels(n.labels, [l]));
}
