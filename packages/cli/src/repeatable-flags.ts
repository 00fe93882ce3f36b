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
