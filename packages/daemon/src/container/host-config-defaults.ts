import type { HostConfig } from '@berth/api';
import { DEFAULT_SHM_SIZE } from '@berth/oci';

/**
 * The defaults dockerd writes into a new container's HostConfig (adaptContainerSettings): /dev/shm size,
 * and as much swap as memory when only a memory limit is given. What inspect shows for settings left
 * unset (namespace modes, runtime, logging driver, masked paths) is filled in by the view.
 */
export function withHostConfigDefaults(hc: HostConfig): HostConfig {
  const next = { ...hc };
  if (!next.ShmSize) next.ShmSize = DEFAULT_SHM_SIZE;
  if (next.Memory && next.Memory > 0 && !next.MemorySwap) next.MemorySwap = next.Memory * 2;
  return next;
}
