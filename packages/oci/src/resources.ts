import { InvalidArgumentError } from '@berth/api';
import type { LinuxCpu, LinuxMemory } from './runtime-spec.js';

export interface ResourceLimits {
  memory?: number;
  /** Memory plus swap; -1 for unlimited swap; unset means twice `memory`, as Docker does. */
  memorySwap?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  nanoCpus?: number;
  /** 0 or negative for unlimited. */
  pidsLimit?: number;
}

const MIN_MEMORY = 6 * 1024 * 1024;
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262_144;
/** Docker's CFS period for `--cpus`: 100 ms in microseconds. */
const NANO_CPUS_PERIOD = 100_000;

export function memoryResources(r: ResourceLimits): LinuxMemory | undefined {
  const memory = r.memory ?? 0;
  const swap = r.memorySwap ?? 0;
  if (memory > 0 && memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  if (swap > 0 && memory <= 0) {
    throw new InvalidArgumentError('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (swap > 0 && swap < memory) {
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (memory <= 0) return undefined;
  return { limit: memory, swap: swap === 0 ? memory * 2 : swap };
}

export function cpuResources(r: ResourceLimits): LinuxCpu | undefined {
  const cpu: LinuxCpu = {};
  if (r.nanoCpus && r.cpuPeriod) {
    throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (r.nanoCpus && r.cpuQuota) {
    throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  }
  if (r.cpuPeriod && (r.cpuPeriod < 1000 || r.cpuPeriod > 1_000_000)) {
    throw new InvalidArgumentError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (r.cpuQuota && r.cpuQuota > 0 && r.cpuQuota < 1000) {
    throw new InvalidArgumentError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  if (r.cpuShares) {
    if (r.cpuShares < 0) throw new InvalidArgumentError('shares: invalid argument');
    // The kernel silently clamps out-of-range shares and runc then fails on read-back; clamp first as Docker does.
    cpu.shares = Math.min(Math.max(r.cpuShares, MIN_CPU_SHARES), MAX_CPU_SHARES);
  }
  if (r.nanoCpus && r.nanoCpus > 0) {
    cpu.period = NANO_CPUS_PERIOD;
    cpu.quota = Math.floor((r.nanoCpus * NANO_CPUS_PERIOD) / 1e9);
  }
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  return Object.keys(cpu).length > 0 ? cpu : undefined;
}

export function pidsResources(r: ResourceLimits): { limit: number } | undefined {
  if (r.pidsLimit === undefined) return undefined;
  return { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
}
