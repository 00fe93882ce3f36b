import { InvalidArgumentError, matchesLabels } from '@berth/api';
import type { ContainerRecord } from './record.js';
import { statusOf } from './state.js';

/** The filters of moby's acceptedPsFilterTags this engine evaluates; the others are refused rather than ignored. */
const ACCEPTED = new Set(['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'health']);
const HEALTH_STATUSES = new Set(['starting', 'healthy', 'unhealthy', 'none']);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

export interface FilterContext {
  /** Looks a container up by name or ID (prefix); throws NotFoundError as Docker does for before/since. */
  find(ref: string): ContainerRecord;
  /** Image IDs an `ancestor` value refers to (empty when it names no image). */
  imageIds(ref: string): string[];
  isRemoving(id: string): boolean;
}

export type ContainerPredicate = (c: ContainerRecord) => boolean;

function regexMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return value === pattern;
  }
}

/**
 * Builds the list filter: each filter key must match (AND), any of a key's values may (OR), except
 * labels, which must all hold. Also reports whether the filters imply `all` (a status filter does).
 */
export function containerListFilter(filters: Record<string, string[]>, ctx: FilterContext): { predicate: ContainerPredicate; impliesAll: boolean } {
  for (const key of Object.keys(filters)) {
    if (!ACCEPTED.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  for (const status of filters.status ?? []) {
    if (!STATUSES.has(status)) throw new InvalidArgumentError(`invalid filter 'status=${status}'`);
  }
  for (const health of filters.health ?? []) {
    if (!HEALTH_STATUSES.has(health)) throw new InvalidArgumentError(`Unrecognised filter value for health: ${health}`);
  }
  const exitCodes = (filters.exited ?? []).map((value) => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`invalid filter 'exited=${value}'`);
    return Number(value);
  });
  const before = filters.before?.length ? Date.parse(ctx.find(filters.before[0]!).created) : undefined;
  const since = filters.since?.length ? Date.parse(ctx.find(filters.since[0]!).created) : undefined;
  const ancestors = new Set((filters.ancestor ?? []).flatMap((ref) => ctx.imageIds(ref)));
  const checks: ContainerPredicate[] = [];
  const any = <T>(values: T[] | undefined, test: (value: T, c: ContainerRecord) => boolean): void => {
    if (values?.length) checks.push((c) => values.some((value) => test(value, c)));
  };
  any(filters.id, (value, c) => c.id.startsWith(value));
  any(filters.name, (value, c) => regexMatch(value, c.name) || regexMatch(value, c.name.slice(1)));
  any(filters.status, (value, c) => statusOf(c.state, ctx.isRemoving(c.id)) === value);
  any(filters.health, (value, c) => (c.health?.Status ?? 'none') === value);
  if (filters.label?.length) checks.push((c) => matchesLabels(c.config.Labels ?? {}, filters.label!));
  if (exitCodes.length) checks.push((c) => !c.state.running && c.state.startedAt !== null && exitCodes.includes(c.state.exitCode));
  if (filters.ancestor?.length) checks.push((c) => ancestors.has(c.imageId) || filters.ancestor!.includes(c.imageRef));
  if (before !== undefined) checks.push((c) => Date.parse(c.created) < before);
  if (since !== undefined) checks.push((c) => Date.parse(c.created) > since);
  return { predicate: (c) => checks.every((check) => check(c)), impliesAll: (filters.status?.length ?? 0) > 0 };
}
