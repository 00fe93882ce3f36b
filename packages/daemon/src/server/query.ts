import { InvalidArgumentError } from '@berth/api';

/** Docker's boolean query values (moby's httputils.BoolValue): "", "0", "false", "no" and "none" are false. */
export function queryBool(value: string | undefined): boolean {
  if (value === undefined) return false;
  const text = value.toLowerCase();
  return !(text === '' || text === '0' || text === 'false' || text === 'no' || text === 'none');
}

export function queryInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  return n;
}

/** `?names=a&names=b` (or a single `names=a`) as a list. */
export function queryList(value: string | string[] | undefined): string[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** The `filters` query parameter: JSON of {name: [values]} (or the legacy {name: {value: true}}). */
export function queryFilters(value: string | undefined): Record<string, string[]> {
  if (value === undefined || value === '') return {};
  const invalid = () => new InvalidArgumentError(`invalid filter: ${value}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid();
  }
  if (!isObject(parsed)) throw invalid();
  const filters: Record<string, string[]> = {};
  for (const [key, raw] of Object.entries(parsed)) {
    if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) filters[key] = raw;
    else if (isObject(raw) && Object.values(raw).every((v) => typeof v === 'boolean')) filters[key] = Object.keys(raw);
    else throw invalid();
  }
  return filters;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
