/** USER_HZ, the unit of /proc/stat and cpuacct.stat on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;
export const NS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;

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

export function emptyCpu(): CpuStats {
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

export function blkio(bytes: BlkioEntry[] | null, ios: BlkioEntry[] | null): ContainerStats['blkio_stats'] {
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
