import { InvalidArgumentError } from '@berth/api';

/**
 * `since`/`until` of `/events`: unix time as "seconds[.fraction]" (what the docker CLI sends, moby's
 * timetypes.ParseTimestamps) or an RFC 3339 date. Returns nanoseconds, undefined when absent.
 */
export function parseEventTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const unix = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix) {
    const fraction = (unix[2] ?? '').padEnd(9, '0');
    return Number(unix[1]) * 1_000_000_000 + Math.sign(Number(unix[1]) || 1) * Number(fraction);
  }
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${value}"`);
  return ms * 1_000_000;
}
