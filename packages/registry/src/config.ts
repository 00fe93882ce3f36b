import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { parseAuthConfig, type AuthConfig } from './config-auth.js';
import { HTTP_CONFIG_KEYS, isNode, parseHttp, type HttpConfig } from './config-http.js';
import { MAINTENANCE_CONFIG_KEYS, parseMaintenanceConfig, type MaintenanceConfig } from './config-maintenance.js';
import { HEALTH_CONFIG_KEYS, LOG_CONFIG_KEYS, parseHealth, parseLog, type HealthConfig, type LogConfig } from './config-ops.js';
import { parseProxyConfig, PROXY_CONFIG_KEYS, type ProxyConfig } from './config-proxy.js';
import { parseS3Storage, S3_CONFIG_KEYS } from './config-s3.js';
import type { S3DriverOptions } from './storage/s3-driver.js';

/** What `berth-registry serve` takes from the Go registry's `config.yml`. */
export interface RegistryConfig {
  version: string;
  http: HttpConfig;
  storage: {
    rootDirectory: string;
    deleteEnabled: boolean;
    /** A bucket instead of the directory: `storage.s3`. */
    s3?: S3DriverOptions;
    maintenance: MaintenanceConfig;
  };
  auth?: AuthConfig;
  /** A pull-through cache of another registry. */
  proxy?: ProxyConfig;
  log?: LogConfig;
  health?: HealthConfig;
}

export interface ParsedRegistryConfig {
  config: RegistryConfig;
  /** One per key we do not support, by dotted path (`http.tls`): read, reported, not acted on. */
  warnings: string[];
}

export class RegistryConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryConfigError';
  }
}

type Node = Record<string, unknown>;

// The keys read so far, as a tree: `true` is a leaf. Anything else in the file is warned about.
const SUPPORTED: Node = {
  version: true,
  http: HTTP_CONFIG_KEYS,
  storage: { filesystem: { rootdirectory: true }, s3: S3_CONFIG_KEYS, delete: { enabled: true }, maintenance: MAINTENANCE_CONFIG_KEYS },
  auth: true,
  proxy: PROXY_CONFIG_KEYS,
  log: LOG_CONFIG_KEYS,
  health: HEALTH_CONFIG_KEYS,
};
// The Go registry's other storage drivers: a config that selects one cannot be served.
const OTHER_DRIVERS = ['azure', 'gcs', 'inmemory', 'swift', 'oss'];

export async function loadRegistryConfig(path: string): Promise<ParsedRegistryConfig> {
  return parseRegistryConfig(await readFile(path, 'utf8'), path);
}

/** Parses the YAML text; RegistryConfigError naming the key when a supported one is missing or wrong. */
export function parseRegistryConfig(text: string, source = 'config'): ParsedRegistryConfig {
  let document: unknown;
  try {
    document = yaml.load(text);
  } catch (err) {
    throw new RegistryConfigError(`${source}: invalid YAML: ${(err as Error).message}`);
  }
  if (!isNode(document)) throw new RegistryConfigError(`${source}: the configuration must be a mapping`);
  const version = document.version;
  if (version !== '0.1' && version !== 0.1) throw new RegistryConfigError(`${source}: version: must be 0.1, got ${JSON.stringify(version ?? null)}`);
  const storage = childNode(document, 'storage', source);
  const driver = OTHER_DRIVERS.find((name) => storage?.[name] !== undefined);
  if (driver) throw new RegistryConfigError(`${source}: storage.${driver}: only the filesystem and s3 storage drivers are supported`);
  const filesystem = storage && childNode(storage, 'filesystem', source, 'storage.');
  const rootDirectory = filesystem?.rootdirectory ?? '/var/lib/registry';
  if (typeof rootDirectory !== 'string' || rootDirectory === '') throw new RegistryConfigError(`${source}: storage.filesystem.rootdirectory: must be a path`);
  const deletion = storage && childNode(storage, 'delete', source, 'storage.');
  const deleteEnabled = deletion?.enabled ?? false;
  if (typeof deleteEnabled !== 'boolean') throw new RegistryConfigError(`${source}: storage.delete.enabled: must be true or false`);
  const s3 = parseS3Storage(storage, source);
  const http = childNode(document, 'http', source);
  const fail = (message: string) => new RegistryConfigError(`${source}: ${message}`);
  const proxy = parseProxyConfig(document, source);
  const maintenance = parseMaintenanceConfig(storage, source);
  if (proxy && maintenance.readOnly) throw new RegistryConfigError(`${source}: storage.maintenance.readonly: a pull-through cache writes what it fetches; it cannot be read-only`);
  const { auth, warnings: authWarnings } = parseAuthConfig(document.auth, fail);
  const [log, health] = [parseLog(document.log, fail), parseHealth(document.health, fail)];
  return {
    config: {
      version: '0.1',
      http: parseHttp(http, fail),
      storage: { rootDirectory, deleteEnabled, maintenance, ...(s3 && { s3 }) },
      ...(auth && { auth }),
      ...(proxy && { proxy }),
      ...(log && { log }),
      ...(health && { health }),
    },
    warnings: [...unsupportedKeys(document, SUPPORTED, ''), ...authWarnings].map((key) => `${key}: not supported, ignored`),
  };
}

function unsupportedKeys(node: Node, supported: Node, prefix: string): string[] {
  return Object.entries(node).flatMap(([key, value]) => {
    const known = supported[key];
    if (known === undefined) return [`${prefix}${key}`];
    return known === true || !isNode(value) ? [] : unsupportedKeys(value, known as Node, `${prefix}${key}.`);
  });
}

export function childNode(parent: Node, key: string, source: string, prefix = ''): Node | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!isNode(value)) throw new RegistryConfigError(`${source}: ${prefix}${key}: must be a mapping`);
  return value;
}
