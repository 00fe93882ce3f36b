import { InvalidArgumentError } from '@berth/api';

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * docker's --since/--until values as the API wants them (Unix seconds with nanoseconds): a Unix time is
 * passed on, a Go duration ("10m", "1h30m") counts back from now, anything else must be an RFC 3339 time.
 */
export function apiLogTime(value: string, nowMs: number): string {
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  if (/^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    let seconds = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
    return fromMillis(nowMs - seconds * 1000);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError(`invalid value for "since"/"until": ${value}`);
  return fromMillis(parsed);
}

function fromMillis(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String(Math.round((ms - seconds * 1000) * 1e6)).padStart(9, '0')}`;
}
