import { InvalidArgumentError, type ContainerConfig, type HealthConfig } from '@berth/api';
import type { ImageHealthcheck } from '@berth/oci';

/** moby's defaults (daemon/health.go); a zero duration or retry count in the config means "default". */
export const DEFAULT_PROBE_INTERVAL_MS = 30_000;
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;
export const DEFAULT_START_PERIOD_MS = 0;
export const DEFAULT_START_INTERVAL_MS = 5_000;
export const DEFAULT_PROBE_RETRIES = 3;

const NS_PER_MS = 1_000_000;
const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** How a container's health is probed, with the defaults applied and durations in ms. */
export interface ProbeSettings {
  /** The argv to exec: CMD's arguments, or CMD-SHELL's string under the container's shell. */
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

/** null when there is nothing to probe: no healthcheck, `NONE`, or a test type moby ignores. */
export function probeSettings(config: ContainerConfig): ProbeSettings | null {
  const hc = config.Healthcheck;
  const test = hc?.Test ?? [];
  if (!hc || test.length === 0) return null;
  let command: string[];
  if (test[0] === 'CMD') command = test.slice(1);
  else if (test[0] === 'CMD-SHELL') command = [...(config.Shell?.length ? config.Shell : DEFAULT_SHELL), ...test.slice(1)];
  else return null;
  if (command.length === 0) return null;
  const ms = (ns: number | null | undefined, fallback: number) => (ns ? ns / NS_PER_MS : fallback);
  return {
    command,
    intervalMs: ms(hc.Interval, DEFAULT_PROBE_INTERVAL_MS),
    timeoutMs: ms(hc.Timeout, DEFAULT_PROBE_TIMEOUT_MS),
    startPeriodMs: ms(hc.StartPeriod, DEFAULT_START_PERIOD_MS),
    startIntervalMs: ms(hc.StartInterval, DEFAULT_START_INTERVAL_MS),
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_PROBE_RETRIES,
  };
}

/**
 * The container's healthcheck: the image's HEALTHCHECK with the request's fields laid over it (moby's
 * merge: an empty Test and zero durations are taken from the image), validated as dockerd does.
 */
export function resolveHealthcheck(requested: HealthConfig | null | undefined, image: ImageHealthcheck | undefined): HealthConfig | undefined {
  const merged = mergeHealthcheck(requested ? setFields(requested) : undefined, image);
  if (merged) validateHealthcheck(merged);
  return merged;
}

/** The request's fields that are set: a null one is left out, as moby stores Go's zero value (and omits it). */
function setFields(hc: HealthConfig): HealthConfig {
  return Object.fromEntries(Object.entries(hc).filter(([, value]) => value !== null)) as HealthConfig;
}

function mergeHealthcheck(requested: HealthConfig | undefined, image: ImageHealthcheck | undefined): HealthConfig | undefined {
  if (!requested) return image ? { ...image } : undefined;
  if (!image) return requested;
  return {
    ...requested,
    Test: requested.Test?.length ? requested.Test : image.Test,
    Interval: requested.Interval || image.Interval,
    Timeout: requested.Timeout || image.Timeout,
    StartPeriod: requested.StartPeriod || image.StartPeriod,
    StartInterval: requested.StartInterval || image.StartInterval,
    Retries: requested.Retries || image.Retries,
  };
}

/** moby's validateHealthCheck, with its messages. */
function validateHealthcheck(hc: HealthConfig): void {
  const durations: Array<[string, number | null | undefined]> = [
    ['Interval', hc.Interval],
    ['Timeout', hc.Timeout],
    ['StartPeriod', hc.StartPeriod],
    ['StartInterval', hc.StartInterval],
  ];
  for (const [name, value] of durations) {
    if (value && value < NS_PER_MS) {
      throw new InvalidArgumentError(`${name} in Healthcheck cannot be less than 1ms`);
    }
  }
  if ((hc.Retries ?? 0) < 0) throw new InvalidArgumentError('Retries in Healthcheck cannot be negative');
}
