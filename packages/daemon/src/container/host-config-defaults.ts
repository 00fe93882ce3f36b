import type { HostConfig } from '@berth/api';
import { DEFAULT_SHM_SIZE } from '@berth/oci';
import { DEFAULT_LOG_DRIVER } from './log-config.js';

/**
 * The defaults dockerd writes into a new container's HostConfig (adaptContainerSettings), so inspect
 * shows them: /dev/shm size, as much swap as memory when only a memory limit is given, and the
 * logging driver.
 */
export function withHostConfigDefaults(hc: HostConfig): HostConfig {
  const next = { ...hc };
  if (!next.ShmSize) next.ShmSize = DEFAULT_SHM_SIZE;
  if (next.Memory && next.Memory > 0 && !next.MemorySwap) next.MemorySwap = next.Memory * 2;
  next.LogConfig = { Type: next.LogConfig?.Type || DEFAULT_LOG_DRIVER, Config: next.LogConfig?.Config ?? {} };
  return next;
}
