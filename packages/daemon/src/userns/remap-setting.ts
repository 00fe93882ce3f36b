import { InvalidArgumentError } from '@berth/api';
import type { LinuxIdMapping } from '@berth/oci';

/** The user dockerd creates for `--userns-remap default`, and the size of the ranges it gives it. */
export const DEFAULT_REMAP_USER = 'dockremap';
export const DEFAULT_RANGE_SIZE = 65536;
/** Where dockerd starts looking for free subordinate ids (below are real users'). */
const FIRST_SUBORDINATE_ID = 100000;

/** `--userns-remap USER[:GROUP]`, `UID[:GID]` or `default` (the dockremap user, created if missing). */
export interface RemapSetting {
  user: string;
  group?: string;
  isDefault: boolean;
}

/** The refusal of a `--userns-remap` value (daemon.json's included) that names no user. */
export function invalidRemapSetting(value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`invalid userns-remap ${JSON.stringify(value)}: default, USER[:GROUP] or UID[:GID]`);
}

export function parseRemapSetting(value: string): RemapSetting {
  if (value === 'default') return { user: DEFAULT_REMAP_USER, group: DEFAULT_REMAP_USER, isDefault: true };
  const [user = '', group, ...rest] = value.split(':');
  if (user === '' || group === '' || rest.length > 0) throw invalidRemapSetting(value);
  return { user, ...(group === undefined ? {} : { group }), isDefault: false };
}

export interface SubordinateRange {
  start: number;
  count: number;
}

/** The valid `owner:start:count` lines of /etc/subuid or /etc/subgid, in the file's order. */
function subordinateLines(text: string): Array<SubordinateRange & { owner: string }> {
  return text
    .split('\n')
    .map((line) => line.trim().split(':'))
    .map(([owner = '', start, count]) => ({ owner, start: Number(start), count: Number(count) }))
    .filter((r) => Number.isSafeInteger(r.start) && Number.isSafeInteger(r.count) && r.start >= 0 && r.count > 0);
}

/** The ranges /etc/subuid or /etc/subgid (`name-or-id:start:count` lines) gives a user, by name or by uid. */
export function subordinateRanges(text: string, user: string, uid: number): SubordinateRange[] {
  return subordinateLines(text)
    .filter((r) => r.owner === user || r.owner === String(uid))
    .map(({ start, count }) => ({ start, count }));
}

/** The ranges as one map, container ids counted up from 0 in the files' order (dockerd's createIDMap). */
export function idMapOf(ranges: readonly SubordinateRange[]): LinuxIdMapping[] {
  let next = 0;
  return ranges.map((r) => {
    const entry = { containerID: next, hostID: r.start, size: r.count };
    next += r.count;
    return entry;
  });
}

/** The first `size` ids from 100000 up that no line of the subordinate id files uses (dockerd's findNextRangeStart). */
export function nextFreeRange(files: readonly string[], size = DEFAULT_RANGE_SIZE): number {
  const used = files.flatMap(subordinateLines).sort((a, b) => a.start - b.start);
  let candidate = FIRST_SUBORDINATE_ID;
  for (const r of used) {
    if (r.start >= candidate + size) break;
    candidate = Math.max(candidate, r.start + r.count);
  }
  return candidate;
}
