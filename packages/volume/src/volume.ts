export type { Volume, VolumePruneResponse as PruneResult } from '@berth/api';

export interface CreateVolumeOptions {
  /** Omitted or empty: an anonymous volume with a generated name. */
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

/** `docker volume ls` / `prune` filters, as {name: [values]}. */
export type VolumeFilters = Record<string, string[]>;
