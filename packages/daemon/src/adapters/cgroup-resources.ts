import type { LinuxResources } from '@berth/oci';
import type { Cgroup } from './cgroups.js';

/** The kernel's CFS period default, used when only a quota is given. */
const DEFAULT_CPU_PERIOD = 100_000;

/** cgroup v2 has no shares; runc's conversion of the [2, 262144] range onto cpu.weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262_142);
}

/**
 * Applies a running container's new memory, CPU and pids limits by writing its cgroup files, as
 * `runc update` would. Limits absent from `r` are reset to unlimited.
 */
export async function writeCgroupResources(cgroup: Cgroup, r: LinuxResources): Promise<void> {
  if (cgroup.version === 2) await writeV2(cgroup, r);
  else await writeV1(cgroup, r);
}

async function writeV1(cgroup: Cgroup, r: LinuxResources): Promise<void> {
  const limit = r.memory?.limit ?? -1;
  const swap = r.memory?.swap ?? -1;
  const hasSwap = cgroup.exists('memory', 'memory.memsw.limit_in_bytes');
  // memory.memsw must never fall below memory.limit: raise the swap total first when the limit grows.
  const current = (await cgroup.readNumber('memory', 'memory.limit_in_bytes')) ?? 0;
  const growing = limit === -1 || limit > current;
  if (hasSwap && growing) await cgroup.write('memory', 'memory.memsw.limit_in_bytes', swap);
  await cgroup.write('memory', 'memory.limit_in_bytes', limit);
  if (hasSwap && !growing) await cgroup.write('memory', 'memory.memsw.limit_in_bytes', swap);

  if (r.cpu?.shares) await cgroup.write('cpu', 'cpu.shares', r.cpu.shares);
  await cgroup.write('cpu', 'cpu.cfs_period_us', r.cpu?.period ?? DEFAULT_CPU_PERIOD);
  await cgroup.write('cpu', 'cpu.cfs_quota_us', r.cpu?.quota ?? -1);
  await cgroup.write('pids', 'pids.max', pidsMax(r));
}

async function writeV2(cgroup: Cgroup, r: LinuxResources): Promise<void> {
  const limit = r.memory?.limit;
  const swap = r.memory?.swap;
  await cgroup.write('memory', 'memory.max', limit ?? 'max');
  if (cgroup.exists('memory', 'memory.swap.max')) {
    // v2 limits swap alone, v1 (and the API) memory plus swap.
    const swapOnly = limit === undefined || swap === undefined || swap < 0 ? 'max' : Math.max(swap - limit, 0);
    await cgroup.write('memory', 'memory.swap.max', swapOnly);
  }
  if (r.cpu?.shares) await cgroup.write('cpu', 'cpu.weight', sharesToWeight(r.cpu.shares));
  await cgroup.write('cpu', 'cpu.max', `${r.cpu?.quota && r.cpu.quota > 0 ? r.cpu.quota : 'max'} ${r.cpu?.period ?? DEFAULT_CPU_PERIOD}`);
  await cgroup.write('pids', 'pids.max', pidsMax(r));
}

function pidsMax(r: LinuxResources): string | number {
  return r.pids && r.pids.limit > 0 ? r.pids.limit : 'max';
}
