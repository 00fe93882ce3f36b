import { InvalidArgumentError, type HostConfig } from '@berth/api';

/** The logging drivers this engine has, by Docker's names; json-file is Docker's default. */
export const LOG_DRIVERS = ['json-file', 'local', 'none'] as const;
export type LogDriver = (typeof LOG_DRIVERS)[number];
export const DEFAULT_LOG_DRIVER: LogDriver = 'json-file';
/** The drivers `docker info` lists as log plugins: those that keep something to read back. */
export const LOG_PLUGINS: readonly LogDriver[] = ['json-file', 'local'];

/** Docker's other built-in drivers: named so the refusal says they exist but are not here. */
const DOCKER_ONLY_DRIVERS = new Set(['syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries']);
/** json-file options Docker accepts that only decorate `docker logs --details`, which this engine lacks. */
const UNSUPPORTED_JSON_FILE_OPTS = new Set(['labels', 'labels-regex', 'env', 'env-regex', 'tag']);
const ROTATION_OPTS = new Set(['max-size', 'max-file', 'compress']);

/** How a container's output is kept. */
export interface LogSettings {
  driver: LogDriver;
  /** Bytes a file may reach before it is rotated; undefined: no limit. */
  maxSize?: number;
  /** How many files to keep, the live one included (1: the old content is dropped). */
  maxFile: number;
  /** Rotated files are gzipped. */
  compress: boolean;
}

/** Docker's prefix for a bad option value, which it finds when the container starts. */
const INIT_FAILED = 'failed to initialize logging driver';

/** moby's local driver defaults (daemon/logger/local/config.go). */
const LOCAL_DEFAULTS = { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true };

/**
 * A container's LogConfig, checked as Docker's drivers check it (same messages). Docker checks option
 * names at create and values when the container starts; both are checked here at create.
 */
export function logSettings(logConfig: HostConfig['LogConfig']): LogSettings {
  const driver = logConfig?.Type || DEFAULT_LOG_DRIVER;
  const config = logConfig?.Config ?? {};
  if (!isLogDriver(driver)) {
    if (DOCKER_ONLY_DRIVERS.has(driver)) {
      throw new InvalidArgumentError(`logging driver "${driver}" is not supported by this engine (supported: ${LOG_DRIVERS.join(', ')})`);
    }
    throw new InvalidArgumentError(`error looking up logging plugin ${driver}: plugin "${driver}" not found`);
  }
  const keys = Object.keys(config);
  switch (driver) {
    case 'none':
      if (keys.length > 0) throw new InvalidArgumentError('invalid logging opts for driver none');
      return { driver, maxFile: 1, compress: false };
    case 'json-file':
      for (const key of keys) {
        if (UNSUPPORTED_JSON_FILE_OPTS.has(key)) throw new InvalidArgumentError(`log opt '${key}' is not supported by this engine's json-file log driver`);
        if (!ROTATION_OPTS.has(key)) throw new InvalidArgumentError(`unknown log opt '${key}' for json-file log driver`);
      }
      return withContext(INIT_FAILED, () => jsonFileSettings(config));
    case 'local':
      for (const key of keys) if (!ROTATION_OPTS.has(key)) throw new InvalidArgumentError(`unknown log opt '${key}' for log driver local`);
      return withContext(INIT_FAILED, () => localSettings(config));
  }
}

/**
 * The settings a container runs with. A record made before drivers and options were checked may hold
 * one refused now (`--log-driver syslog`, `max-size=-1`): it keeps logging as it did then, to a json-file
 * log without limits, rather than becoming a container that can be neither started nor removed.
 */
export function recordedLogSettings(logConfig: HostConfig['LogConfig']): LogSettings {
  try {
    return logSettings(logConfig);
  } catch {
    return { driver: 'json-file', maxFile: 1, compress: false };
  }
}

function isLogDriver(name: string): name is LogDriver {
  return (LOG_DRIVERS as readonly string[]).includes(name);
}

/** moby's jsonfilelog.New. */
function jsonFileSettings(config: Record<string, string>): LogSettings {
  let maxSize: number | undefined;
  if (config['max-size'] !== undefined) {
    maxSize = fromHumanSize(config['max-size']);
    if (maxSize <= 0) throw new InvalidArgumentError('max-size must be a positive number');
  }
  let maxFile = 1;
  if (config['max-file'] !== undefined) {
    maxFile = parseGoInt(config['max-file']);
    if (maxFile < 1) throw new InvalidArgumentError('max-file cannot be less than 1');
  }
  let compress = false;
  if (config.compress !== undefined) {
    compress = parseGoBool(config.compress);
    if (compress && (maxFile === 1 || maxSize === undefined)) {
      throw new InvalidArgumentError('compress cannot be true when max-file is less than 2 or max-size is not set');
    }
  }
  // Without max-size nothing rotates, so max-file keeps nothing more (Docker accepts it all the same).
  return { driver: 'json-file', maxSize, maxFile: maxSize === undefined ? 1 : maxFile, compress };
}

/** moby's local.New and validateConfig. */
function localSettings(config: Record<string, string>): LogSettings {
  let { maxSize, maxFile, compress } = LOCAL_DEFAULTS;
  if (config['max-size'] !== undefined) maxSize = withContext(`invalid value for max-size: ${config['max-size']}`, () => fromHumanSize(config['max-size']!));
  if (config['max-file'] !== undefined) maxFile = withContext(`invalid value for max-file: ${config['max-file']}`, () => parseGoInt(config['max-file']!));
  if (config.compress !== undefined) compress = withContext('error reading compress log option', () => parseGoBool(config.compress!));
  if (maxFile < 0) throw new InvalidArgumentError('max-file cannot be less than 0');
  if (compress && maxFile <= 1) throw new InvalidArgumentError('compression cannot be enabled when max file count is 1');
  return { driver: 'local', maxSize: maxSize > 0 ? maxSize : undefined, maxFile: Math.max(maxFile, 1), compress };
}

function withContext<T>(context: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new InvalidArgumentError(`${context}: ${(err as Error).message}`);
  }
}

const DECIMAL_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** go-units FromHumanSize, as Docker's log drivers read max-size: decimal units, `10m` is 10,000,000 bytes. */
export function fromHumanSize(size: string): number {
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(size);
  if (!match) throw new InvalidArgumentError(`invalid size: '${size}'`);
  return Math.floor(Number(match[1]) * DECIMAL_UNITS[(match[2] ?? '').toLowerCase()]!);
}

/** strconv.Atoi's error text, which Docker passes on. */
function parseGoInt(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new InvalidArgumentError(`strconv.Atoi: parsing "${value}": invalid syntax`);
  return Number(value);
}

/** strconv.ParseBool's accepted spellings and error text. */
function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`strconv.ParseBool: parsing "${value}": invalid syntax`);
}
