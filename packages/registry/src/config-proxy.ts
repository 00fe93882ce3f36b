import { childNode, RegistryConfigError } from './config.js';
import { parseGoDuration } from './go-duration.js';

/** `proxy:`: the registry is a pull-through cache of `remoteUrl`. */
export interface ProxyConfig {
  remoteUrl: string;
  username?: string;
  password?: string;
  /** How long fetched content stays cached; 0 keeps it for good. */
  ttlMs: number;
}

export const PROXY_CONFIG_KEYS = { remoteurl: true, username: true, password: true, ttl: true } as const;

// The distribution project's default for `proxy.ttl`: a week.
const DEFAULT_TTL_MS = 168 * 3_600_000;

/** The `proxy` section, or undefined when the registry is not a cache. */
export function parseProxyConfig(document: Record<string, unknown>, source: string): ProxyConfig | undefined {
  const proxy = childNode(document, 'proxy', source);
  if (!proxy) return undefined;
  const fail = (message: string) => new RegistryConfigError(`${source}: proxy.${message}`);
  const remoteUrl = proxy.remoteurl;
  if (typeof remoteUrl !== 'string' || !/^https?:\/\/[^/]/.test(remoteUrl)) throw fail(`remoteurl: must be an http:// or https:// URL, got ${JSON.stringify(remoteUrl ?? null)}`);
  try {
    new URL(remoteUrl);
  } catch {
    throw fail(`remoteurl: not a URL: ${JSON.stringify(remoteUrl)}`);
  }
  const { username, password } = proxy;
  if (username !== undefined && (typeof username !== 'string' || username === '')) throw fail('username: must be a non-empty string');
  if (password !== undefined && typeof password !== 'string') throw fail('password: must be a string');
  if ((username === undefined) !== (password === undefined)) throw fail('username and proxy.password: give both or neither');
  const ttl = proxy.ttl ?? '168h';
  const ttlMs = typeof ttl === 'string' ? parseGoDuration(ttl) : ttl === 0 ? 0 : undefined;
  if (ttlMs === undefined) throw fail(`ttl: not a duration such as 168h or 30m: ${JSON.stringify(ttl)}`);
  return { remoteUrl, ttlMs: proxy.ttl === undefined ? DEFAULT_TTL_MS : ttlMs, ...(username !== undefined && { username, password: password as string }) };
}
