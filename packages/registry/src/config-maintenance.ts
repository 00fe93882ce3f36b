import { childNode, RegistryConfigError } from './config.js';
import { parseGoDuration } from './go-duration.js';

/** `storage.maintenance`: purging abandoned uploads, and read-only mode. */
export interface MaintenanceConfig {
  /** Absent when `uploadpurging.enabled` is false. */
  uploadPurging?: { ageMs: number; intervalMs: number; dryRun: boolean };
  readOnly: boolean;
}

export const MAINTENANCE_CONFIG_KEYS = {
  uploadpurging: { enabled: true, age: true, interval: true, dryrun: true },
  readonly: { enabled: true },
} as const;

// The Go registry's defaults, which also apply when the section is absent: purging is on.
const DEFAULT_AGE = '168h';
const DEFAULT_INTERVAL = '24h';

export function parseMaintenanceConfig(storage: Record<string, unknown> | undefined, source: string): MaintenanceConfig {
  const maintenance = storage && childNode(storage, 'maintenance', source, 'storage.');
  const fail = (key: string, message: string) => new RegistryConfigError(`${source}: storage.maintenance.${key}: ${message}`);
  const section = (key: string) => (maintenance && childNode(maintenance, key, source, 'storage.maintenance.')) ?? {};
  const flag = (node: Record<string, unknown>, key: string, name: string, fallback: boolean): boolean => {
    const value = node[key] ?? fallback;
    if (typeof value !== 'boolean') throw fail(name, 'must be true or false');
    return value;
  };
  const duration = (node: Record<string, unknown>, key: string, name: string, fallback: string): number => {
    const value = node[key] ?? fallback;
    const ms = typeof value === 'string' ? parseGoDuration(value) : undefined;
    if (ms === undefined || ms <= 0) throw fail(name, `not a positive duration such as ${fallback}: ${JSON.stringify(value)}`);
    return ms;
  };
  const purging = section('uploadpurging');
  const readOnly = flag(section('readonly'), 'enabled', 'readonly.enabled', false);
  if (!flag(purging, 'enabled', 'uploadpurging.enabled', true)) return { readOnly };
  return {
    uploadPurging: {
      ageMs: duration(purging, 'age', 'uploadpurging.age', DEFAULT_AGE),
      intervalMs: duration(purging, 'interval', 'uploadpurging.interval', DEFAULT_INTERVAL),
      dryRun: flag(purging, 'dryrun', 'uploadpurging.dryrun', false),
    },
    readOnly,
  };
}
