import { readFileSync } from 'node:fs';

export interface RlimitPair {
  soft: number;
  hard: number;
}

/** Keys are RLIMIT_* names; `Infinity` stands for "unlimited". */
export type HostRlimits = Record<string, RlimitPair>;

const RLIMIT_BY_DESCRIPTION: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

function limitValue(text: string): number {
  return text === 'unlimited' ? Infinity : Number(text);
}

/** Parses the text of /proc/<pid>/limits. */
export function parseProcLimits(text: string): HostRlimits {
  const limits: HostRlimits = {};
  for (const line of text.split('\n')) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const type = match && RLIMIT_BY_DESCRIPTION[match[1]];
    if (match && type) limits[type] = { soft: limitValue(match[2]), hard: limitValue(match[3]) };
  }
  return limits;
}

/** The engine's own limits; without CAP_SYS_RESOURCE no container can be given a higher hard limit. */
export function readHostRlimits(): HostRlimits {
  return parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
}
