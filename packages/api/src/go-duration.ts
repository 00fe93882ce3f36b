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

const GO_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['h', 3600e9],
  ['m', 60e9],
];

/** Go's time.Duration.String() of a count of nanoseconds ("1m30s", "500ms", "0s"). */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let rest = Math.abs(ns);
  if (rest < 1e9) {
    const [unit, size] = rest < 1e3 ? ['ns', 1] : rest < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(rest / size)}${unit}`;
  }
  let text = '';
  for (const [unit, size] of GO_UNITS) {
    const whole = Math.floor(rest / size);
    if (whole > 0 || text !== '') text += `${whole}${unit}`;
    rest -= whole * size;
  }
  return `${sign}${text}${trimFraction(rest / 1e9)}s`;
}

function trimFraction(value: number): string {
  return String(Number(value.toFixed(9)));
}
