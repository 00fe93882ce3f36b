import { InvalidArgumentError, checkFilterKeys, matchesLabels, parseUntil } from '@berth/api';
import { isBuiltIn, type NetworkRecord } from './network-record.js';

const LIST_FILTERS = new Set(['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
const PRUNE_FILTERS = new Set(['until', 'label', 'label!']);

/** moby's `dangling` for networks: one value, exactly true/1 or false/0. */
function danglingValue(values: string[] | undefined): boolean | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidArgumentError('got more than one value for filter key "dangling"');
  if (values[0] === 'true' || values[0] === '1') return true;
  if (values[0] === 'false' || values[0] === '0') return false;
  throw new InvalidArgumentError(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
}

/** `GET /networks` filters, as moby's network list filters them (`id` and `name` match anywhere in the value). */
export function networkListFilter(filters: Record<string, string[]>, inUse: (n: NetworkRecord) => boolean): (n: NetworkRecord) => boolean {
  checkFilterKeys(filters, LIST_FILTERS);
  for (const type of filters.type ?? []) {
    if (type !== 'custom' && type !== 'builtin') throw new InvalidArgumentError(`invalid filter: 'type'='${type}'`);
  }
  const dangling = danglingValue(filters.dangling);
  const any = (key: string, test: (value: string) => boolean) => filters[key] === undefined || filters[key]!.some(test);
  return (n) =>
    any('driver', (d) => n.driver === d) &&
    any('id', (id) => n.id.includes(id)) &&
    any('name', (name) => n.name.includes(name)) &&
    any('scope', (scope) => scope === 'local') &&
    any('type', (type) => (type === 'builtin') === isBuiltIn(n)) &&
    matchesLabels(n.labels, filters.label ?? []) &&
    (dangling === undefined || dangling === (!isBuiltIn(n) && !inUse(n)));
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
