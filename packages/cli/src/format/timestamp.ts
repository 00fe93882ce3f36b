import { InvalidArgumentError, parseGoDuration } from '@berth/api';

/**
 * The docker CLI's timetypes.GetTimestamp for `--since`/`--until`: a Go duration counts back from
 * `now` (whole seconds), a date or RFC 3339 time becomes "seconds.nanoseconds", and a unix timestamp
 * passes through.
 */
export function toApiTimestamp(value: string, now: number): string {
  const duration = value === '0' ? null : parseGoDuration(value);
  if (duration !== null) return String(Math.floor((now - duration / 1e6) / 1000));
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${value}"`);
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, '0')}`;
}

