/** commander's accumulator for a flag that may be given several times. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--filter key=value` flags as the API's filters map. */
export function filtersOf(flags: string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq === -1 ? flag : flag.slice(0, eq);
    (filters[key] ??= []).push(eq === -1 ? '' : flag.slice(eq + 1));
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
