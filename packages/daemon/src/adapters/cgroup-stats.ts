import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { NS_PER_TICK, ZERO_TIME, blkio, emptyCpu, parseBlkio, systemCpuUsage, type ContainerStats, type CpuStats } from '../container/stats.js';
import type { Cgroup } from './cgroups.js';

// Stats samples read from a container's cgroup files and /proc/stat, in dockerd's shapes.

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
