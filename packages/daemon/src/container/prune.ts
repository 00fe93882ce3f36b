import { InvalidArgumentError } from '@berth/api';
import { matchesLabels } from './list-filters.js';
import type { ContainerRecord } from './record.js';

const PRUNE_FILTERS = new Set(['until', 'label', 'label!']);
const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Docker's `until`: a Go duration before now ("24h", "1h30m"), a Unix timestamp, or a date. Milliseconds since the epoch. */
export function parseUntil(value: string, now: Date): number {
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(amount) * DURATION_UNITS_MS[unit!]!;
    return now.getTime() - ms;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError(`invalid filter 'until=${value}'`);
  return parsed;
}

/** Which stopped containers `POST /containers/prune` removes. */
export function pruneFilter(filters: Record<string, string[]>, now: Date): (c: ContainerRecord) => boolean {
  for (const key of Object.keys(filters)) {
    if (!PRUNE_FILTERS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const until = filters.until?.length ? Math.min(...filters.until.map((u) => parseUntil(u, now))) : undefined;
  const labels = filters.label ?? [];
  const notLabels = filters['label!'] ?? [];
  return (c) => {
    if (c.state.running || c.state.paused) return false;
    if (until !== undefined && Date.parse(c.created) >= until) return false;
    const containerLabels = c.config.Labels ?? {};
    if (!matchesLabels(containerLabels, labels)) return false;
    return !notLabels.some((label) => matchesLabels(containerLabels, [label]));
  };
}
