import { parseGoDuration } from './go-duration.js';

type Node = Record<string, unknown>;
type Fail = (message: string) => Error;

export interface ListenAddress {
  /** undefined for `:port`: every interface, as Go listens. */
  host?: string;
  port: number;
}

/** `http.tls`: PEM files, as Go reads them. */
export interface TlsConfig {
  certificate: string;
  key: string;
  /** CA files; when given, clients must present a certificate one of them signed. */
  clientCAs: string[];
  /** Node's spelling of `minimumtls`. */
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/** `http.debug`: the second listener with `/debug/health` and, when enabled, Prometheus metrics. */
export interface DebugConfig extends ListenAddress {
  /** `http.debug.prometheus.path` when `prometheus.enabled` is true. */
  prometheusPath?: string;
}

/** berth's `http.limits`: request sizes in bytes. */
export interface LimitsConfig {
  /** `manifestsize`: the largest manifest a PUT may carry (4 MiB when absent). */
  manifestBytes?: number;
  /** `blobsize`: the largest blob an upload may make (none when absent). */
  blobBytes?: number;
}

/** zot's `http.ratelimit`: requests a second per client, overall and per method. */
export interface RateLimitConfig {
  rate?: number;
  methods: Record<string, number>;
}

export const HTTP_CONFIG_KEYS: Node = {
  addr: true,
  headers: true,
  ratelimit: { rate: true, methods: true },
  limits: { manifestsize: true, blobsize: true },
  draintimeout: true,
  tls: { certificate: true, key: true, clientcas: true, minimumtls: true },
  debug: { addr: true, prometheus: { enabled: true, path: true } },
};

const TLS_VERSIONS: Record<string, TlsConfig['minVersion']> = { 'tls1.2': 'TLSv1.2', 'tls1.3': 'TLSv1.3' };

/** `:5000` (every interface) or `host:port`, `[::1]:5000` for IPv6. */
function parseAddr(addr: unknown, key: string, fail: Fail): ListenAddress {
  const match = typeof addr === 'string' ? /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr) : null;
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw fail(`${key}: must be :port or host:port, got ${JSON.stringify(addr)}`);
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}

/** A Go duration key in milliseconds, or undefined when absent. */
export function durationKey(node: Node | undefined, name: string, key: string, fail: Fail): number | undefined {
  const value = node?.[name];
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? parseGoDuration(value) : value === 0 ? 0 : undefined;
  if (ms === undefined) throw fail(`${key}: must be a duration such as 30s or 1m, got ${JSON.stringify(value)}`);
  return ms;
}

function parseTls(http: Node | undefined, fail: Fail): TlsConfig | undefined {
  const tls = http?.tls;
  if (tls === undefined || tls === null) return undefined;
  if (!isNode(tls)) throw fail('http.tls: must be a mapping');
  // Served without it, a config asking for a certificate from Let's Encrypt would answer in the clear.
  if (tls.letsencrypt !== undefined) throw fail('http.tls.letsencrypt: not supported; obtain the certificate outside the registry and give http.tls.certificate and http.tls.key');
  const file = (name: string): string => {
    const value = tls[name];
    if (typeof value !== 'string' || value === '') throw fail(`http.tls.${name}: must be the path of a PEM file`);
    return value;
  };
  const clientCAs = tls.clientcas ?? [];
  if (!Array.isArray(clientCAs) || !clientCAs.every((path) => typeof path === 'string' && path !== '')) throw fail('http.tls.clientcas: must be a list of PEM files');
  const minimum = tls.minimumtls ?? 'tls1.2';
  const minVersion = TLS_VERSIONS[String(minimum)];
  if (!minVersion) throw fail(`http.tls.minimumtls: must be tls1.2 or tls1.3, got ${JSON.stringify(minimum)}`);
  // Go applies its own default list; a list we would not apply could leave a cipher on that was meant off.
  if (tls.ciphersuites !== undefined) throw fail('http.tls.ciphersuites: not supported; Node\'s default TLS ciphers are used');
  return { certificate: file('certificate'), key: file('key'), clientCAs: clientCAs as string[], minVersion };
}

function parseDebug(http: Node | undefined, fail: Fail): DebugConfig | undefined {
  const debug = http?.debug;
  if (debug === undefined || debug === null) return undefined;
  if (!isNode(debug)) throw fail('http.debug: must be a mapping');
  // Go serves nothing without an address, prometheus included.
  if (debug.addr === undefined || debug.addr === '') return undefined;
  const address = parseAddr(debug.addr, 'http.debug.addr', fail);
  const prometheus = debug.prometheus ?? {};
  if (!isNode(prometheus)) throw fail('http.debug.prometheus: must be a mapping');
  const enabled = prometheus.enabled ?? false;
  if (typeof enabled !== 'boolean') throw fail('http.debug.prometheus.enabled: must be true or false');
  const path = prometheus.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/')) throw fail(`http.debug.prometheus.path: must be a path starting with /, got ${JSON.stringify(path)}`);
  if (enabled && path.startsWith('/debug/health')) throw fail('http.debug.prometheus.path: /debug/health is the health endpoint');
  return enabled ? { ...address, prometheusPath: path } : address;
}

function parseLimits(http: Node | undefined, fail: Fail): LimitsConfig | undefined {
  const limits = http?.limits;
  if (limits === undefined || limits === null) return undefined;
  if (!isNode(limits)) throw fail('http.limits: must be a mapping');
  const bytes = (name: string): number | undefined => {
    const value = limits[name];
    if (value === undefined) return undefined;
    if (!Number.isSafeInteger(value) || (value as number) <= 0) throw fail(`http.limits.${name}: must be a number of bytes above 0, got ${JSON.stringify(value)}`);
    return value as number;
  };
  const [manifestBytes, blobBytes] = [bytes('manifestsize'), bytes('blobsize')];
  return { ...(manifestBytes !== undefined && { manifestBytes }), ...(blobBytes !== undefined && { blobBytes }) };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `http.headers`: response headers added to every answer of the API, each a list of values as Go takes them. */
function parseHeaders(http: Node | undefined, fail: Fail): Record<string, string[]> | undefined {
  const headers = http?.headers;
  if (headers === undefined || headers === null) return undefined;
  if (!isNode(headers)) throw fail('http.headers: must be a mapping of header names to lists of values');
  for (const [name, values] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw fail(`http.headers: ${JSON.stringify(name)} is not a header name`);
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'string' && !/[\r\n]/.test(value))) throw fail(`http.headers.${name}: must be a list of values`);
  }
  return headers as Record<string, string[]>;
}

function parseRateLimit(http: Node | undefined, fail: Fail): RateLimitConfig | undefined {
  const limit = http?.ratelimit;
  if (limit === undefined || limit === null) return undefined;
  if (!isNode(limit)) throw fail('http.ratelimit: must be a mapping of rate and methods');
  const rate = (value: unknown, key: string): number => {
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw fail(`${key}: must be a number of requests a second above 0, got ${JSON.stringify(value)}`);
    return value;
  };
  const methods = limit.methods ?? [];
  if (!Array.isArray(methods)) throw fail('http.ratelimit.methods: must be a list of {method, rate}');
  const byMethod: Record<string, number> = {};
  methods.forEach((entry: unknown, index) => {
    const at = `http.ratelimit.methods[${index}]`;
    if (!isNode(entry) || typeof entry.method !== 'string' || !METHODS.includes(entry.method)) throw fail(`${at}.method: must be one of ${METHODS.join(', ')}`);
    byMethod[entry.method] = rate(entry.rate, `${at}.rate`);
  });
  return { ...(limit.rate !== undefined && { rate: rate(limit.rate, 'http.ratelimit.rate') }), methods: byMethod };
}

/** The `http` section: where to listen and how to serve. */
export interface HttpConfig extends ListenAddress {
  tls?: TlsConfig;
  /** `http.draintimeout`: how long a stop waits for requests in flight. */
  drainTimeoutMs?: number;
  debug?: DebugConfig;
  limits?: LimitsConfig;
  rateLimit?: RateLimitConfig;
  /** `http.headers`: added to every response of the API. */
  headers?: Record<string, string[]>;
}

export function parseHttp(http: Node | undefined, fail: Fail): HttpConfig {
  const [tls, debug, drainTimeoutMs] = [parseTls(http, fail), parseDebug(http, fail), durationKey(http, 'draintimeout', 'http.draintimeout', fail)];
  const [limits, rateLimit, headers] = [parseLimits(http, fail), parseRateLimit(http, fail), parseHeaders(http, fail)];
  return {
    ...parseAddr(http?.addr ?? ':5000', 'http.addr', fail),
    ...(tls && { tls }),
    ...(drainTimeoutMs !== undefined && { drainTimeoutMs }),
    ...(debug && { debug }),
    ...(limits && { limits }),
    ...(rateLimit && { rateLimit }),
    ...(headers && { headers }),
  };
}

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
