import { InvalidArgumentError } from '@berth/api';

/**
 * Docker's `since`/`until` query values: Unix seconds with an optional fraction ("1700000000.123456789"),
 * which the CLI computes from durations and RFC 3339 times. 0 or absent means no bound.
 */
export function parseLogTimeBound(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!match) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  const seconds = Number(match[1]);
  const nanos = Number((match[2] ?? '').padEnd(9, '0'));
  if (seconds === 0 && nanos === 0) return undefined;
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6));
}

/** `tail`: "all" (or absent, or negative) means everything. */
export function parseLogTail(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === 'all') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid value for tail: ${value}`);
  return n < 0 ? undefined : n;
}

/**
 * conmon writes local time with a numeric offset; Docker prints RFC3339Nano in UTC with exactly nine
 * fractional digits (its RFC3339NanoFixed), so `docker logs -t` output lines up.
 */
export function dockerLogTimestamp(conmonTimestamp: string, time: Date): string {
  const fraction = /\.(\d+)/.exec(conmonTimestamp)?.[1] ?? '';
  const seconds = time.toISOString().slice(0, 19);
  return `${seconds}.${fraction.padEnd(9, '0').slice(0, 9)}Z`;
}
