import type { EventMessage } from '@berth/api';
import { sortedEntries } from './go-order.js';

/**
 * docker's default `events` line: "<time> <type> <action> <id> (k=v, …)", the time in RFC 3339 with
 * nanoseconds and the attributes sorted by key.
 */
export function formatEventLine(event: EventMessage): string {
  let line = '';
  if (event.timeNano) line += `${rfc3339NanoFixed(event.timeNano)} `;
  else if (event.time) line += `${rfc3339NanoFixed(event.time * 1_000_000_000)} `;
  line += `${event.Type} ${event.Action} ${event.Actor.ID}`;
  const attributes = sortedEntries(event.Actor.Attributes ?? {});
  if (attributes.length) line += ` (${attributes.map(([k, v]) => `${k}=${v}`).join(', ')})`;
  return `${line}\n`;
}

/** Go's "2006-01-02T15:04:05.000000000Z07:00" in UTC. */
function rfc3339NanoFixed(nano: number): string {
  // Via the shortest decimal form, which is what came over the wire, not the nearest binary double.
  const total = BigInt(String(Math.round(nano)));
  const seconds = total / 1_000_000_000n;
  const nanos = String(total % 1_000_000_000n).padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos}Z`;
}
