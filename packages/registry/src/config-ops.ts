import { durationKey, isNode } from './config-http.js';

type Node = Record<string, unknown>;
type Fail = (message: string) => Error;

/** `log`: the Go registry's logging keys. */
export interface LogConfig {
  /** pino's name for Go's level (`panic` is `fatal`). */
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  formatter: 'json' | 'text';
  /** `log.fields`: added to every line, access lines included. */
  fields: Record<string, unknown>;
  /** `log.accesslog.disabled` negated. */
  accessLog: boolean;
}

/** `health.storagedriver`: the periodic storage check; undefined when not enabled. */
export interface HealthConfig {
  intervalMs: number;
  /** Failures in a row before the registry reports unhealthy; 0 and 1 both mean the first. */
  threshold: number;
}

export const LOG_CONFIG_KEYS: Node = { level: true, formatter: true, fields: true, accesslog: { disabled: true } };
export const HEALTH_CONFIG_KEYS: Node = { storagedriver: { enabled: true, interval: true, threshold: true } };

const LEVELS: Record<string, LogConfig['level']> = { panic: 'fatal', fatal: 'fatal', error: 'error', warn: 'warn', warning: 'warn', info: 'info', debug: 'debug', trace: 'trace' };
// Go's storage check runs every 10 seconds unless told otherwise (registry/handlers/app.go).
const DEFAULT_HEALTH_INTERVAL_MS = 10_000;

export function parseLog(value: unknown, fail: Fail): LogConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isNode(value)) throw fail('log: must be a mapping');
  const level = LEVELS[String(value.level ?? 'info')];
  if (!level) throw fail(`log.level: must be one of error, warn, info, debug (or panic, fatal, trace), got ${JSON.stringify(value.level)}`);
  const formatter = value.formatter ?? 'json';
  if (formatter !== 'json' && formatter !== 'text') throw fail(`log.formatter: must be json or text, got ${JSON.stringify(formatter)}`);
  const fields = value.fields ?? {};
  if (!isNode(fields)) throw fail('log.fields: must be a mapping of field names to values');
  const accesslog = value.accesslog ?? {};
  if (!isNode(accesslog)) throw fail('log.accesslog: must be a mapping');
  const disabled = accesslog.disabled ?? false;
  if (typeof disabled !== 'boolean') throw fail('log.accesslog.disabled: must be true or false');
  // Go's hooks send mail on errors; taking the key and sending nothing would hide that they are off.
  if (value.hooks !== undefined) throw fail('log.hooks: not supported; forward the JSON lines from stdout and stderr instead');
  return { level, formatter, fields, accessLog: !disabled };
}

export function parseHealth(value: unknown, fail: Fail): HealthConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isNode(value)) throw fail('health: must be a mapping');
  for (const checker of ['file', 'http', 'tcp']) {
    if (value[checker] !== undefined) throw fail(`health.${checker}: not supported; only health.storagedriver checks are run`);
  }
  const storage = value.storagedriver;
  if (storage === undefined || storage === null) return undefined;
  if (!isNode(storage)) throw fail('health.storagedriver: must be a mapping');
  const enabled = storage.enabled ?? false;
  if (typeof enabled !== 'boolean') throw fail('health.storagedriver.enabled: must be true or false');
  const threshold = storage.threshold ?? 0;
  if (!Number.isInteger(threshold) || (threshold as number) < 0) throw fail(`health.storagedriver.threshold: must be a whole number, got ${JSON.stringify(threshold)}`);
  const intervalMs = durationKey(storage, 'interval', 'health.storagedriver.interval', fail) || DEFAULT_HEALTH_INTERVAL_MS;
  return enabled ? { intervalMs, threshold: threshold as number } : undefined;
}
