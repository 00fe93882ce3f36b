import type { HostConfig } from '@berth/api';
import { DEFAULT_READONLY_PATHS, DEFAULT_SHM_SIZE, defaultMaskedPaths } from '@berth/oci';
import { DEFAULT_LOG_DRIVER } from './log-config.js';

/**
 * The defaults dockerd writes into a new container's HostConfig (adaptContainerSettings and create), so
 * inspect shows them: /dev/shm size, as much swap as memory when only a memory limit is given, the
 * logging driver, the namespace modes and runtime it chose, and the masked and read-only paths of an
 * unprivileged container.
 */
export function withHostConfigDefaults(hc: HostConfig, runtime: string): HostConfig {
  const next = { ...hc };
  if (!next.ShmSize) next.ShmSize = DEFAULT_SHM_SIZE;
  if (next.Memory && next.Memory > 0 && !next.MemorySwap) next.MemorySwap = next.Memory * 2;
  next.LogConfig = { Type: next.LogConfig?.Type || DEFAULT_LOG_DRIVER, Config: next.LogConfig?.Config ?? {} };
  if (!next.IpcMode) next.IpcMode = 'private';
  if (!next.CgroupnsMode) next.CgroupnsMode = 'host';
  if (!next.Runtime) next.Runtime = runtime;
  if (!next.Privileged) {
    next.MaskedPaths ??= defaultMaskedPaths();
    next.ReadonlyPaths ??= [...DEFAULT_READONLY_PATHS];
  }
  return next;
}
