import { InvalidArgumentError, matchesLabels, parseUntil } from '@berth/api';
import type { ContainerRecord } from './record.js';

const PRUNE_FILTERS = new Set(['until', 'label', 'label!']);
/** Which stopped containers `POST /containers/prune` removes. */
export function pruneFilter(filters: Record<string, string[]>, now: Date): (c: ContainerRecord) => boolean {
  for (const key of Object.keys(filters)) {
    if (!PRUNE_FILTERS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const until = filters.until?.length ? Math.min(...filters.until.map((u) => parseUntil(u, now))) : undefined;
  const labels = filters.label ?? [];
  const notLabels = filters['label!'] ?? [];
  return (c) => {
    if (c.state.running || c.state.paused) return false;
    if (until !== undefined && Date.parse(c.created) >= until) return false;
    const containerLabels = c.config.Labels ?? {};
    if (!matchesLabels(containerLabels, labels)) return false;
    return !notLabels.some((label) => matchesLabels(containerLabels, [label]));
  };
}
