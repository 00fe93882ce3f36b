import { InvalidArgumentError } from '@berth/api';
import { familiarName, familiarString, type NamedReference } from '@berth/reference';
import type { ImageRecord } from './image-views.js';

/** The `filters` of GET /images/json and POST /images/prune, already split into name -> values. */
export type ImageFilters = Record<string, string[]>;

const LIST_FILTERS = new Set(['dangling', 'label', 'reference', 'before', 'since', 'until']);

/** What a filter needs to know about one image. */
export interface FilterSubject {
  record: ImageRecord;
  refs: NamedReference[];
}

/** Go's path.Match for the `reference` filter: `*` and `?` stop at `/`, `[...]` is a class. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new InvalidArgumentError(`invalid reference filter: ${pattern}`);
      source += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The `reference` filter as a test of one name; undefined without that filter. */
export function referenceMatcher(filters: ImageFilters): ((ref: NamedReference) => boolean) | undefined {
  const patterns = filters.reference?.map(globToRegExp);
  if (patterns === undefined) return undefined;
  return (ref) => patterns.some((re) => re.test(familiarString(ref)) || re.test(familiarName(ref)));
}

function parseBool(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${name}=${value}'`);
}

/** Docker's `until`: RFC 3339, a Unix timestamp, or a duration such as `24h` before now. */
export function parseTimestamp(value: string, now = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (duration !== null) {
    const unit = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'ns'];
    return now - Number(duration[1]) * unit;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${value}"`);
  return ms;
}

function labelMatches(labels: Record<string, string>, spec: string): boolean {
  const eq = spec.indexOf('=');
  if (eq < 0) return spec in labels;
  return labels[spec.slice(0, eq)] === spec.slice(eq + 1);
}

export function createdMs(record: ImageRecord): number {
  const ms = record.config.created === undefined ? NaN : Date.parse(record.config.created);
  return Number.isNaN(ms) ? 0 : ms;
}

export function validateFilters(filters: ImageFilters, allowed: Set<string> = LIST_FILTERS): void {
  for (const name of Object.keys(filters)) {
    if (!allowed.has(name)) throw new InvalidArgumentError(`invalid filter '${name}'`);
  }
}

/**
 * A predicate for the list filters. Values of one filter are alternatives (any may match); different
 * filters must all match. `before`/`since` name images, resolved by the caller into creation times.
 */
export function imageFilter(
  filters: ImageFilters,
  resolveCreated: (nameOrId: string) => number,
  now = Date.now(),
): (subject: FilterSubject) => boolean {
  validateFilters(filters, new Set([...LIST_FILTERS, 'label!']));
  const dangling = filters.dangling?.map((v) => parseBool('dangling', v));
  const matchesReference = referenceMatcher(filters);
  const before = filters.before?.map(resolveCreated);
  const since = filters.since?.map(resolveCreated);
  const until = filters.until?.map((v) => parseTimestamp(v, now));
  return ({ record, refs }) => {
    const tagged = refs.some((ref) => ref.digest === undefined);
    if (dangling !== undefined && !dangling.some((want) => want === !tagged)) return false;
    const labels = record.config.config?.Labels ?? {};
    if (filters.label !== undefined && !filters.label.every((spec) => labelMatches(labels, spec))) return false;
    if (filters['label!'] !== undefined && filters['label!'].some((spec) => labelMatches(labels, spec))) return false;
    if (matchesReference !== undefined && !refs.some(matchesReference)) return false;
    const created = createdMs(record);
    if (before !== undefined && !before.some((t) => created < t)) return false;
    if (since !== undefined && !since.some((t) => created > t)) return false;
    if (until !== undefined && !until.some((t) => created < t)) return false;
    return true;
  };
}
