import { humanDuration } from '@berth/api';

/** "<duration> ago" for a Unix timestamp in seconds, as docker's CREATED columns print it. */
export function timeAgo(unixSeconds: number, now: number): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}
