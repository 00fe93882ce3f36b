import type { ContainerStatsResponse } from '@berth/api';
import { bytesSize, humanSize } from './human-size.js';
import { truncateId } from './ids.js';
import { formatList } from './list-format.js';

/** docker stats' default table (its Linux one). */
export const DEFAULT_STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const STATS_HEADERS = {
  BlockIO: 'BLOCK I/O',
  CPUPerc: 'CPU %',
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  MemPerc: 'MEM %',
  MemUsage: 'MEM USAGE / LIMIT',
  Name: 'NAME',
  NetIO: 'NET I/O',
  PIDs: 'PIDS',
};

/** What docker stats keeps of a container's last sample; `invalid` (an error, or no sample for a while) shows `--`. */
export interface StatsEntry {
  /** The container as asked for: a name or ID from the command line, or the ID when following all. */
  container: string;
  name: string;
  id: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
  invalid: boolean;
}

interface BlkioEntry {
  op: string;
  value: number;
}

/** An entry with nothing collected yet (docker's zero value). */
export function emptyStatsEntry(container: string): StatsEntry {
  return { container, name: '', id: '', cpuPercent: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 0, invalid: false };
}

/** An entry whose collection failed or stalled: its numbers zeroed, shown as `--`. */
export function invalidStatsEntry(entry: StatsEntry): StatsEntry {
  return { ...emptyStatsEntry(entry.container), name: entry.name, id: entry.id, invalid: true };
}

/** docker's CPU percentage: the container's share of host CPU time between two samples, times the CPUs. */
export function cpuPercent(s: ContainerStatsResponse): number {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Memory as docker shows it: usage without the inactive page cache (cgroup v1 or v2 key). */
export function memoryUsage(s: ContainerStatsResponse): number {
  const stats = s.memory_stats?.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const usage = s.memory_stats?.usage ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

/** Bytes read and written, summed by the op's first letter as docker does. */
function blockIo(s: ContainerStatsResponse): [number, number] {
  const entries = (s.blkio_stats as { io_service_bytes_recursive?: BlkioEntry[] | null } | undefined)?.io_service_bytes_recursive ?? [];
  let read = 0;
  let write = 0;
  for (const entry of entries) {
    const op = entry.op.charAt(0).toLowerCase();
    if (op === 'r') read += entry.value;
    if (op === 'w') write += entry.value;
  }
  return [read, write];
}

interface NetworkCounters {
  rx_bytes?: number;
  tx_bytes?: number;
}

/** Bytes received and sent over all the container's networks. */
function networkIo(s: ContainerStatsResponse): [number, number] {
  let rx = 0;
  let tx = 0;
  for (const network of Object.values((s as { networks?: Record<string, NetworkCounters> }).networks ?? {})) {
    rx += network.rx_bytes ?? 0;
    tx += network.tx_bytes ?? 0;
  }
  return [rx, tx];
}

/** A sample's entry, as docker's collector computes it. */
export function statsEntry(container: string, s: ContainerStatsResponse): StatsEntry {
  const memory = memoryUsage(s);
  const memoryLimit = s.memory_stats?.limit ?? 0;
  const [networkRx, networkTx] = networkIo(s);
  const [blockRead, blockWrite] = blockIo(s);
  return {
    container,
    name: s.name ?? '',
    id: s.id ?? '',
    cpuPercent: cpuPercent(s),
    memory,
    memoryLimit,
    memoryPercent: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    networkRx,
    networkTx,
    blockRead,
    blockWrite,
    pids: s.pids_stats?.current ?? 0,
    invalid: false,
  };
}

const NO_VALUE = '--';
const percent = (value: number): string => `${value.toFixed(2)}%`;

/** The fields `stats --format` offers, as docker's stats formatter renders them (in its JSON's key order). */
export function statsFields(e: StatsEntry, truncate: boolean): object {
  const valid = (text: string): string => (e.invalid ? NO_VALUE : text);
  return {
    BlockIO: valid(`${humanSize(e.blockRead)} / ${humanSize(e.blockWrite)}`),
    CPUPerc: valid(percent(e.cpuPercent)),
    Container: e.container,
    ID: truncate ? truncateId(e.id) : e.id,
    MemPerc: valid(percent(e.memoryPercent)),
    MemUsage: e.invalid ? '-- / --' : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    Name: e.name.length > 1 ? e.name.slice(1) : NO_VALUE,
    NetIO: valid(`${humanSize(e.networkRx)} / ${humanSize(e.networkTx)}`),
    PIDs: valid(String(e.pids)),
  };
}

/** The stats output for a `--format` value (`table` when none). */
export function formatStats(entries: StatsEntry[], format: string, truncate: boolean): string {
  return formatList(
    entries.map((e) => statsFields(e, truncate)),
    format === 'table' ? DEFAULT_STATS_TABLE : format,
    STATS_HEADERS,
    DEFAULT_STATS_TABLE,
  );
}

/**
 * One frame of the live display as docker writes it, on a terminal or not: the cursor home, each line
 * followed by erase-to-end-of-line (a shorter line leaves nothing of the last frame), then erase below.
 */
export function statsFrame(text: string): string {
  return `\x1b[H${text
    .split('\n')
    .map((line) => `${line}\x1b[K\n`)
    .join('')}\x1b[J`;
}
