import { ConflictError, InvalidArgumentError, type ContainerUpdateRequest, type HostConfig, type Ulimit } from '@berth/api';
import { parseRestartPolicy } from '@berth/restartmanager';
import type { LinuxResources } from '@berth/oci';
import type { HostSecurityModules } from '../ports.js';
import type { ContainerRecord } from './record.js';
import { refuseUnsupportedSettings } from './unsupported-settings.js';
import { validateHostConfig } from './validate-host-config.js';

/** Docker's default swap for a memory limit without one: as much swap as memory. */
function effectiveSwap(hc: HostConfig): number {
  if (hc.MemorySwap) return hc.MemorySwap;
  return hc.Memory ? hc.Memory * 2 : 0;
}

/**
 * The host config after an update, following moby's rules: zero means "leave as is", and a memory
 * limit may not pass the swap total already set unless the swap total changes too.
 */
export function updatedHostConfig(hc: HostConfig, update: ContainerUpdateRequest): HostConfig {
  refuseUlimitsChange(hc, update);
  const next: HostConfig = { ...hc };
  if (update.Memory) {
    const swap = effectiveSwap(hc);
    if (!update.MemorySwap && swap > 0 && update.Memory > swap) {
      throw new ConflictError('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    next.Memory = update.Memory;
    if (!update.MemorySwap && swap > 0) next.MemorySwap = swap;
  }
  if (update.MemorySwap) next.MemorySwap = update.MemorySwap;
  if (update.NanoCpus) {
    if (hc.CpuQuota || hc.CpuPeriod) {
      throw new ConflictError('Conflicting options: Nano CPUs cannot be updated as CPU Period or CPU Quota has already been set');
    }
    next.NanoCpus = update.NanoCpus;
  }
  if (update.CpuQuota || update.CpuPeriod) {
    if (hc.NanoCpus) throw new ConflictError('Conflicting options: CPU Quota or CPU Period cannot be updated as NanoCPUs has already been set');
    if (update.CpuQuota) next.CpuQuota = update.CpuQuota;
    if (update.CpuPeriod) next.CpuPeriod = update.CpuPeriod;
  }
  if (update.CpuShares) next.CpuShares = update.CpuShares;
  if (update.PidsLimit !== undefined && update.PidsLimit !== null && update.PidsLimit !== 0) next.PidsLimit = update.PidsLimit;
  if (update.RestartPolicy && (update.RestartPolicy.Name || update.RestartPolicy.MaximumRetryCount)) {
    const policy = parseRestartPolicy(update.RestartPolicy);
    if (hc.AutoRemove && policy.name !== 'no') {
      throw new InvalidArgumentError('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    next.RestartPolicy = { Name: policy.name, MaximumRetryCount: policy.maximumRetryCount };
  }
  return next;
}

/** A ulimit list in a canonical order and shape, for comparing two. */
function ulimitsKey(ulimits: Ulimit[] | null | undefined): string {
  const list = (ulimits ?? []).map(({ Name, Soft, Hard }) => ({ Name, Soft, Hard }));
  return JSON.stringify(list.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)));
}

/**
 * Ulimits are part of the API's Resources but only a create sets them: moby ignores them in an update,
 * which would be a change accepted and ignored, so a change is refused; the container's own list, `null`
 * (the docker CLI's) and `[]` leave them as they are.
 */
function refuseUlimitsChange(hc: HostConfig, update: ContainerUpdateRequest): void {
  if (!update.Ulimits?.length || ulimitsKey(update.Ulimits) === ulimitsKey(hc.Ulimits)) return;
  throw new InvalidArgumentError('Ulimits cannot be changed by an update: create the container with them (--ulimit)');
}

/**
 * Validates and records a container's new limits and restart policy; a running container gets the
 * limits at once through its cgroup files.
 */
export async function updateContainer(
  c: ContainerRecord,
  update: ContainerUpdateRequest,
  io: { securityModules: HostSecurityModules; apply(resources: LinuxResources): Promise<void>; save(c: ContainerRecord): Promise<void> },
): Promise<void> {
  refuseUnsupportedSettings(update);
  const hostConfig = updatedHostConfig(c.hostConfig, update);
  const resources = validateHostConfig({ ...c, hostConfig }, io);
  if (c.state.running) {
    try {
      await io.apply(resources);
    } catch (err) {
      throw new InvalidArgumentError(`Cannot update container ${c.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  c.hostConfig = hostConfig;
  await io.save(c);
}
