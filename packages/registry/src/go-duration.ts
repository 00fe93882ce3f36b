const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go `time.Duration` as the Go registry's config takes it (`60s`, `1m30s`, `1.5h`, `500ms`, a bare
 * `0`), in milliseconds; undefined when the text is not one.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const parts = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)/;
  let rest = text;
  let total = 0;
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = parts.exec(rest);
    if (!match) return undefined;
    const [, value, unit] = /^([\d.]+)(.+)$/.exec(match[0])!;
    total += Number(value) * UNITS[unit!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}
