import { InvalidArgumentError } from './errors.js';

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Docker's `until` filter: a Go duration before now ("24h", "1h30m"), a Unix timestamp, or a date. Milliseconds since the epoch. */
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

/** Docker's `label` filters: each `key` must be present, each `key=value` must match. */
export function matchesLabels(labels: Record<string, string>, wanted: readonly string[]): boolean {
  return wanted.every((filter) => {
    const eq = filter.indexOf('=');
    if (eq === -1) return Object.hasOwn(labels, filter);
    return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
  });
}

/** Refuses a filter this endpoint does not know, in Docker's words. */
export function checkFilterKeys(filters: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
}

/** A boolean filter value (`dangling=true`, `all=1`). */
export function parseFilterBool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${key}=${value}'`);
}
