import { FlagValueError } from './flag-value-error.js';

/** commander's accumulator for a flag that may be given several times. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `--filter name=value` flags as the API's filters map, as docker's FilterOpt reads them: the name trimmed and
 * lowercased, the value trimmed, an empty flag ignored, one without `=` refused as a flag value.
 */
export function filtersOf(flags: string[], flag = '-f, --filter'): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const value of flags) {
    if (value === '') continue;
    const eq = value.indexOf('=');
    if (eq === -1) throw new FlagValueError(flag, value, 'bad format of filter (expected name=value)');
    (filters[value.slice(0, eq).trim().toLowerCase()] ??= []).push(value.slice(eq + 1).trim());
  }
  return filters;
}

/** docker/cli opts.ValidateLabel: a key without whitespace, the value as given. */
export function validateLabel(label: string): string {
  const key = (label.includes('=') ? label.slice(0, label.indexOf('=')) : label).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${label}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return label;
}
