import { InvalidArgumentError } from '@berth/api';

/** Docker's boolean query values: "1", "true", "True" are true; "", "0", "false" are false. */
export function queryBool(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  const text = String(value).toLowerCase();
  if (text === '' || text === '0' || text === 'false' || text === 'no') return false;
  return true;
}

export function queryInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid value for ${name}: ${String(value)}`);
  return n;
}

/** The `filters` query parameter: JSON of {name: [values]} (or the legacy {name: {value: true}}). */
export function queryFilters(value: unknown): Record<string, string[]> {
  if (value === undefined || value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    throw new InvalidArgumentError(`invalid filter: ${String(value)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidArgumentError(`invalid filter: ${String(value)}`);
  const filters: Record<string, string[]> = {};
  for (const [key, raw] of Object.entries(parsed)) {
    filters[key] = Array.isArray(raw) ? raw.map(String) : Object.keys(raw as object);
  }
  return filters;
}
