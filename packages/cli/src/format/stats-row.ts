import type { ContainerStatsResponse } from '@berth/api';
import { bytesSize, humanSize } from './human-size.js';
import { truncateId } from './ids.js';

export const STATS_HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

interface BlkioEntry {
  op: string;
  value: number;
}

/** docker's CPU percentage: the container's share of host CPU time between two samples, times the CPUs. */
export function cpuPercent(s: ContainerStatsResponse): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Memory as docker shows it: usage without the inactive page cache (cgroup v1 or v2 key). */
export function memoryUsage(s: ContainerStatsResponse): number {
  const stats = s.memory_stats.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const usage = s.memory_stats.usage ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

function blockIo(s: ContainerStatsResponse): [number, number] {
  const entries = ((s.blkio_stats as { io_service_bytes_recursive?: BlkioEntry[] | null } | undefined)?.io_service_bytes_recursive ?? []);
  let read = 0;
  let write = 0;
  for (const entry of entries) {
    if (entry.op.toLowerCase() === 'read') read += entry.value;
    if (entry.op.toLowerCase() === 'write') write += entry.value;
  }
  return [read, write];
}

/** One row of `docker stats --no-stream`. */
export function statsRow(s: ContainerStatsResponse): string[] {
  const limit = s.memory_stats.limit ?? 0;
  const usage = memoryUsage(s);
  const [read, write] = blockIo(s);
  return [
    truncateId(s.id),
    s.name.replace(/^\//, ''),
    `${cpuPercent(s).toFixed(2)}%`,
    `${bytesSize(usage)} / ${bytesSize(limit)}`,
    `${(limit > 0 ? (usage / limit) * 100 : 0).toFixed(2)}%`,
    '0B / 0B',
    `${humanSize(read)} / ${humanSize(write)}`,
    String(s.pids_stats.current ?? 0),
  ];
}
