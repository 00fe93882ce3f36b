import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '@berth/api';
import { splitVersionedUrl } from './api-version.js';
import { assertNoFragment } from './request-target.js';
import type { HijackedRoute } from './hijacked-route.js';
import { HIJACKED_ROUTES } from './routes/index.js';

/** A request for one of the hijacking endpoints, its parts still as the client sent them. */
export interface RoutedUpgrade {
  route: HijackedRoute;
  params: Record<string, string>;
  query: Record<string, string>;
  version: string;
}

// Fastify never sees requests carrying `Upgrade:` for these endpoints, so they are matched here by method and path.
const PATTERNS = HIJACKED_ROUTES.map((route) => ({
  route,
  names: [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!),
  pattern: new RegExp(`^${route.url.replace(/:\w+/g, '([^/]+)')}$`),
}));

/** Which hijacking endpoint a request is for, by method and path alone; any other request is fastify's. */
function matchPath(method: string | undefined, url: string): { route: HijackedRoute; rawParams: Record<string, string> } | undefined {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  for (const { route, names, pattern } of PATTERNS) {
    const match = pattern.exec(path);
    if (match && method === route.method) return { route, rawParams: Object.fromEntries(names.map((name, i) => [name, match[i + 1]!])) };
  }
  return undefined;
}

/** Whether a request carrying `Upgrade:` is hijacked; dockerd routes any other one like a plain request, and so does fastify here. */
export function isUpgradeRequest(req: Pick<IncomingMessage, 'method' | 'url'>): boolean {
  return matchPath(req.method, splitVersionedUrl(req.url ?? '/').url) !== undefined;
}

/**
 * Routes a request `isUpgradeRequest` took. Its URL is whatever the client sent, so nothing here may
 * throw but InvalidArgumentError (400), for a bad version or encoding.
 */
export function routeUpgrade(method: string | undefined, rawUrl: string | undefined): RoutedUpgrade {
  assertNoFragment(rawUrl ?? '/');
  const { url, version, error } = splitVersionedUrl(rawUrl ?? '/');
  if (error) throw new InvalidArgumentError(error);
  const matched = matchPath(method, url);
  if (!matched) throw new InvalidArgumentError(`not a hijacking endpoint: ${method ?? ''} ${url}`);
  const queryStart = url.indexOf('?');
  // URLSearchParams decodes leniently (a stray `%` stays as is), as fastify's query parser does.
  const query = Object.fromEntries(new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)));
  const params = Object.fromEntries(Object.entries(matched.rawParams).map(([name, raw]) => [name, decodePathSegment(raw)]));
  return { route: matched.route, params, query, version };
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`invalid URL path: malformed percent-encoding in "${segment}"`);
  }
}
