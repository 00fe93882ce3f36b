import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import type { Cgroup } from './cgroups.js';

/** USER_HZ, the unit of /proc/stat and cpuacct.stat on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

/** One sample in the Engine API's stats shape (what `docker stats` decodes). */
export interface ContainerStats {
  name: string;
  id: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: BlkioEntry[] | null;
    io_serviced_recursive: BlkioEntry[] | null;
    io_queue_recursive: null;
    io_service_time_recursive: null;
    io_wait_time_recursive: null;
    io_merged_recursive: null;
    io_time_recursive: null;
    sectors_recursive: null;
  };
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; failcnt?: number; limit?: number; stats?: Record<string, number> };
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Host CPU time since boot in nanoseconds: the first line of /proc/stat, as dockerd computes system_cpu_usage. */
export function systemCpuUsage(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  // user nice system idle iowait irq softirq steal; guest time is already counted in user.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return ticks.reduce((sum, t) => sum + (Number.isFinite(t) ? t : 0), 0) * NS_PER_TICK;
}

/** blkio.throttle.* lines ("8:0 Read 4096") or io.stat lines ("8:0 rbytes=4096 wbytes=0 rios=1 wios=0"). */
export function parseBlkio(text: string, version: 1 | 2, field: 'bytes' | 'ios'): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const device = /^(\d+):(\d+)$/.exec(parts[0] ?? '');
    if (!device) continue;
    const major = Number(device[1]);
    const minor = Number(device[2]);
    if (version === 1) {
      if (parts.length === 3) entries.push({ major, minor, op: parts[1]!, value: Number(parts[2]) });
      continue;
    }
    const values = Object.fromEntries(parts.slice(1).map((kv) => kv.split('=') as [string, string]));
    const read = Number(values[field === 'bytes' ? 'rbytes' : 'rios'] ?? 0);
    const write = Number(values[field === 'bytes' ? 'wbytes' : 'wios'] ?? 0);
    entries.push({ major, minor, op: 'read', value: read }, { major, minor, op: 'write', value: write });
  }
  return entries;
}

function emptyCpu(): CpuStats {
  return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
}

/** The sample of a container that is not running: names and zeroes, as dockerd sends. */
export function emptyStats(name: string, id: string): ContainerStats {
  return {
    name,
    id,
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: blkio(null, null),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: emptyCpu(),
    precpu_stats: emptyCpu(),
    memory_stats: {},
  };
}

function blkio(bytes: BlkioEntry[] | null, ios: BlkioEntry[] | null): ContainerStats['blkio_stats'] {
  return {
    io_service_bytes_recursive: bytes,
    io_serviced_recursive: ios,
    io_queue_recursive: null,
    io_service_time_recursive: null,
    io_wait_time_recursive: null,
    io_merged_recursive: null,
    io_time_recursive: null,
    sectors_recursive: null,
  };
}

/** An unlimited cgroup reports a huge number; Docker shows the host's memory instead. */
function memoryLimit(limit: number | undefined): number {
  const host = totalmem();
  return limit === undefined || limit > host ? host : limit;
}

async function cpuStats(cgroup: Cgroup, procStat: string): Promise<CpuStats> {
  const system_cpu_usage = systemCpuUsage(procStat);
  if (cgroup.version === 2) {
    const stat = await cgroup.readKeyValues('cpu', 'cpu.stat');
    return {
      cpu_usage: {
        total_usage: (stat.usage_usec ?? 0) * 1000,
        usage_in_kernelmode: (stat.system_usec ?? 0) * 1000,
        usage_in_usermode: (stat.user_usec ?? 0) * 1000,
      },
      system_cpu_usage,
      online_cpus: onlineCpus(procStat),
      throttling_data: { periods: stat.nr_periods ?? 0, throttled_periods: stat.nr_throttled ?? 0, throttled_time: (stat.throttled_usec ?? 0) * 1000 },
    };
  }
  const percpu = ((await cgroup.read('cpuacct', 'cpuacct.usage_percpu')) ?? '').split(/\s+/).filter(Boolean).map(Number);
  const ticks = await cgroup.readKeyValues('cpuacct', 'cpuacct.stat');
  const throttling = await cgroup.readKeyValues('cpu', 'cpu.stat');
  return {
    cpu_usage: {
      total_usage: (await cgroup.readNumber('cpuacct', 'cpuacct.usage')) ?? 0,
      percpu_usage: percpu,
      usage_in_kernelmode: (ticks.system ?? 0) * NS_PER_TICK,
      usage_in_usermode: (ticks.user ?? 0) * NS_PER_TICK,
    },
    system_cpu_usage,
    online_cpus: onlineCpus(procStat),
    throttling_data: {
      periods: throttling.nr_periods ?? 0,
      throttled_periods: throttling.nr_throttled ?? 0,
      throttled_time: throttling.throttled_time ?? 0,
    },
  };
}

function onlineCpus(procStat: string): number {
  return procStat.split('\n').filter((line) => /^cpu\d+ /.test(line)).length;
}

async function memoryStats(cgroup: Cgroup): Promise<ContainerStats['memory_stats']> {
  if (cgroup.version === 2) {
    return {
      usage: await cgroup.readNumber('memory', 'memory.current'),
      limit: memoryLimit(await cgroup.readNumber('memory', 'memory.max')),
      stats: await cgroup.readKeyValues('memory', 'memory.stat'),
    };
  }
  return {
    usage: await cgroup.readNumber('memory', 'memory.usage_in_bytes'),
    max_usage: await cgroup.readNumber('memory', 'memory.max_usage_in_bytes'),
    failcnt: await cgroup.readNumber('memory', 'memory.failcnt'),
    limit: memoryLimit(await cgroup.readNumber('memory', 'memory.limit_in_bytes')),
    stats: await cgroup.readKeyValues('memory', 'memory.stat'),
  };
}

async function blkioStats(cgroup: Cgroup): Promise<ContainerStats['blkio_stats']> {
  if (cgroup.version === 2) {
    const text = (await cgroup.read('blkio', 'io.stat')) ?? '';
    return blkio(parseBlkio(text, 2, 'bytes'), parseBlkio(text, 2, 'ios'));
  }
  const bytes = (await cgroup.read('blkio', 'blkio.throttle.io_service_bytes_recursive')) ?? '';
  const ios = (await cgroup.read('blkio', 'blkio.throttle.io_serviced_recursive')) ?? '';
  return blkio(parseBlkio(bytes, 1, 'bytes'), parseBlkio(ios, 1, 'ios'));
}

/** One stats sample of a running container, read from its cgroup; `previous` fills precpu_stats and preread. */
export async function sampleStats(cgroup: Cgroup, name: string, id: string, previous?: ContainerStats): Promise<ContainerStats> {
  const procStat = await readFile('/proc/stat', 'utf8');
  const pidsLimit = await cgroup.readNumber('pids', 'pids.max');
  return {
    name,
    id,
    read: new Date().toISOString(),
    preread: previous?.read ?? ZERO_TIME,
    pids_stats: { current: await cgroup.readNumber('pids', 'pids.current'), ...(pidsLimit !== undefined ? { limit: pidsLimit } : {}) },
    blkio_stats: await blkioStats(cgroup),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: await cpuStats(cgroup, procStat),
    precpu_stats: previous?.cpu_stats ?? emptyCpu(),
    memory_stats: await memoryStats(cgroup),
  };
}
