const DURATION = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration ("300ms", "1h30m", "-5s", "0"), in nanoseconds; null if it is not one. */
export function parseGoDuration(text: string): number | null {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * UNIT_NS[unit!]!;
  return Math.round(text.startsWith('-') ? -total : total);
}
