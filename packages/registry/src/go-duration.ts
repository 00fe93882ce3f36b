const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go duration string (`168h`, `1h30m`, `1.5s`, `0`) in milliseconds, as the Go registry's config
 * and flags spell them; undefined when it is not one.
 */
export function parseGoDuration(value: string): number | undefined {
  if (value === '0') return 0;
  const parts = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*$/.test(value)
    ? value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)
    : undefined;
  if (!parts) return undefined;
  let total = 0;
  for (const [, amount, unit] of parts) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}
