import { InvalidArgumentError, parseGoDuration } from '@berth/api';
import type { ImageHealthcheck, ImageRunConfig } from '@berth/oci';
import type { Flags } from '../dockerfile/commands.js';

/** The shell a stage runs shell-form commands with (SHELL changes it). */
export function shellOf(config: ImageRunConfig): string[] {
  return config.Shell !== undefined && config.Shell.length > 0 ? config.Shell : ['/bin/sh', '-c'];
}

/** The environment as a map, for expanding words. */
export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const result = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) result.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return result;
}

const HEALTH_DURATIONS = [
  ['interval', 'Interval'],
  ['timeout', 'Timeout'],
  ['start-period', 'StartPeriod'],
  ['start-interval', 'StartInterval'],
] as const;

/** HEALTHCHECK's flags and command as the image's Healthcheck, with moby's checks. */
export function healthcheckOf(test: string[], flags: Flags): ImageHealthcheck {
  const health: ImageHealthcheck = { Test: test };
  for (const [flag, field] of HEALTH_DURATIONS) {
    const value = flags[flag];
    if (value === undefined) continue;
    const ns = typeof value === 'string' ? parseGoDuration(value) : null;
    if (ns === null) throw new InvalidArgumentError(`time: invalid duration "${String(value)}"`);
    if (ns !== 0 && ns < 1_000_000) throw new InvalidArgumentError(`Interval "${flag}" cannot be less than 1ms`);
    if (ns !== 0) health[field] = ns;
  }
  const retries = flags.retries;
  if (retries !== undefined) {
    const n = typeof retries === 'string' && /^-?\d+$/.test(retries) ? Number(retries) : NaN;
    if (Number.isNaN(n)) throw new InvalidArgumentError(`strconv.ParseInt: parsing "${String(retries)}": invalid syntax`);
    if (n < 0) throw new InvalidArgumentError('--retries cannot be negative');
    if (n !== 0) health.Retries = n;
  }
  return health;
}
