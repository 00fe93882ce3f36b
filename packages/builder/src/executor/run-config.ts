import { InvalidArgumentError, parseGoDuration } from '@berth/api';
import type { ImageHealthcheck, ImageRunConfig } from '@berth/oci';
import type { Flags } from '../dockerfile/commands.js';

/** The shell a stage runs shell-form commands with (SHELL changes it). */
export function shellOf(config: ImageRunConfig): string[] {
  return config.Shell !== undefined && config.Shell.length > 0 ? config.Shell : ['/bin/sh', '-c'];
}

/** Sets each `key=value` in the environment list, replacing an earlier value of the key. */
export function withEnv(env: readonly string[] | undefined, pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const result = [...(env ?? [])];
  for (const [key, value] of pairs) {
    const index = result.findIndex((entry) => entry.slice(0, entry.indexOf('=')) === key);
    if (index >= 0) result[index] = `${key}=${value}`;
    else result.push(`${key}=${value}`);
  }
  return result;
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

/** EXPOSE's `port[-port][/proto]` as the ExposedPorts keys it adds. */
export function exposedPortKeys(spec: string): string[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (match === null) throw new InvalidArgumentError(`invalid containerPort: ${spec}`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first > 65535 || last > 65535 || last < first) throw new InvalidArgumentError(`invalid range specified for container port: ${spec}`);
  const proto = (match[3] ?? 'tcp').toLowerCase();
  const keys: string[] = [];
  for (let port = first; port <= last; port++) keys.push(`${port}/${proto}`);
  return keys;
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
