import { InvalidArgumentError, NotFoundError, type EngineRoute } from '@berth/api';
import { splitVersionedUrl } from './api-version.js';

/** The hijacking endpoints: what fastify would route, matched by hand because they bypass it. */
export interface UpgradeRoute {
  kind: 'attach-ws' | 'attach' | 'exec-start';
  id: string;
  query: Record<string, string>;
  version: string;
}

/** `url` names each route as fastify would (as ENGINE_ROUTES does); `pattern` matches it. */
export const UPGRADE_ROUTES: ReadonlyArray<{ method: EngineRoute['method']; url: string; pattern: RegExp; kind: UpgradeRoute['kind'] }> = [
  { method: 'GET', url: '/containers/:id/attach/ws', pattern: /^\/containers\/([^/]+)\/attach\/ws$/, kind: 'attach-ws' },
  { method: 'POST', url: '/containers/:id/attach', pattern: /^\/containers\/([^/]+)\/attach$/, kind: 'attach' },
  { method: 'POST', url: '/exec/:id/start', pattern: /^\/exec\/([^/]+)\/start$/, kind: 'exec-start' },
];

/**
 * Routes a request that carries `Upgrade:`. Its URL is whatever the client sent, so nothing here may
 * throw but the typed errors: InvalidArgumentError (400) for a bad version or encoding, NotFoundError (404).
 */
export function routeUpgrade(method: string | undefined, rawUrl: string | undefined): UpgradeRoute {
  const { url, version, error } = splitVersionedUrl(rawUrl ?? '/');
  if (error) throw new InvalidArgumentError(error);
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  // URLSearchParams decodes leniently (a stray `%` stays as is), as fastify's query parser does.
  const query = Object.fromEntries(new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)));
  for (const route of UPGRADE_ROUTES) {
    const match = route.pattern.exec(path);
    if (match && method === route.method) return { kind: route.kind, id: decodePathSegment(match[1]!), query, version };
  }
  throw new NotFoundError('page not found');
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`invalid URL path: malformed percent-encoding in "${segment}"`);
  }
}
