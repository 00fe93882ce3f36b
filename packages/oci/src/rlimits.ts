import { InvalidArgumentError } from '@berth/api';
import type { HostRlimits } from './host-rlimits.js';
import type { PosixRlimit } from './runtime-spec.js';

const ULIMIT_NAMES = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
];

/**
 * What a Docker container gets for open files when nothing is configured (the limit dockerd's
 * runtime hands down on a stock install).
 */
export const DEFAULT_NOFILE_LIMIT = 1_048_576;

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** 'nofile' or 'RLIMIT_NOFILE' → 'RLIMIT_NOFILE'. */
export function rlimitType(name: string): string {
  const short = name.toLowerCase().replace(/^rlimit_/, '');
  if (!ULIMIT_NAMES.includes(short)) throw new InvalidArgumentError(`invalid ulimit type: ${name}`);
  return `RLIMIT_${short.toUpperCase()}`;
}

/** Docker writes "unlimited" as -1. */
function limitValue(value: number): number {
  return value < 0 ? Infinity : value;
}

/**
 * The container's rlimits: a default RLIMIT_NOFILE, overridden by the user's ulimits, every hard
 * limit lowered to the engine's own (raising one needs CAP_SYS_RESOURCE, which the engine may lack)
 * and every soft limit kept within its hard limit.
 */
export function buildRlimits(ulimits: readonly Ulimit[], hostLimits: HostRlimits): PosixRlimit[] {
  const byType = new Map<string, PosixRlimit>([
    ['RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', hard: DEFAULT_NOFILE_LIMIT, soft: DEFAULT_NOFILE_LIMIT }],
  ]);
  for (const ulimit of ulimits) {
    const type = rlimitType(ulimit.name);
    const soft = limitValue(ulimit.soft);
    const hard = limitValue(ulimit.hard);
    if (soft > hard) {
      throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${ulimit.soft} > ${ulimit.hard}`);
    }
    byType.set(type, { type, hard, soft });
  }
  const hostByType = new Map(Object.entries(hostLimits).map(([name, limit]) => [rlimitType(name), limit]));
  return [...byType.values()].map((rlimit) => {
    const hard = Math.min(rlimit.hard, hostByType.get(rlimit.type)?.hard ?? Infinity);
    return { type: rlimit.type, hard, soft: Math.min(rlimit.soft, hard) };
  });
}
