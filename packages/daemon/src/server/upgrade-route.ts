import type { IncomingMessage } from 'node:http';
import { ContainerAttachQuerySchema, ExecStartBodySchema, IdParamsSchema, InvalidArgumentError, NoQuerySchema, UnreadBodySchema } from '@berth/api';
import { splitVersionedUrl } from './api-version.js';

/**
 * The hijacking endpoints, served on the raw socket instead of by fastify when the request carries
 * `Upgrade:`. Their schemas are the ones fastify would apply; hijack.ts checks each part against them.
 */
export const UPGRADE_ROUTES = {
  'attach-ws': { method: 'GET', url: '/containers/:id/attach/ws', schema: { params: IdParamsSchema, querystring: ContainerAttachQuerySchema } },
  // dockerode repeats its attach options as a body; what follows the body is stdin.
  attach: { method: 'POST', url: '/containers/:id/attach', schema: { params: IdParamsSchema, querystring: ContainerAttachQuerySchema, body: UnreadBodySchema } },
  'exec-start': { method: 'POST', url: '/exec/:id/start', schema: { params: IdParamsSchema, querystring: NoQuerySchema, body: ExecStartBodySchema } },
} as const;

export type UpgradeKind = keyof typeof UPGRADE_ROUTES;

/** A request for one of the hijacking endpoints, its parts still as the client sent them. */
export interface UpgradeRoute {
  kind: UpgradeKind;
  id: string;
  query: Record<string, string>;
  version: string;
}

const PATTERNS = Object.entries(UPGRADE_ROUTES).map(([kind, route]) => ({
  kind: kind as UpgradeKind,
  method: route.method,
  pattern: new RegExp(`^${route.url.replace(':id', '([^/]+)')}$`),
}));

/** Which hijacking endpoint a request is for, by method and path alone; any other request is fastify's. */
function matchPath(method: string | undefined, url: string): { kind: UpgradeKind; rawId: string } | undefined {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  for (const route of PATTERNS) {
    const match = route.pattern.exec(path);
    if (match && method === route.method) return { kind: route.kind, rawId: match[1]! };
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
export function routeUpgrade(method: string | undefined, rawUrl: string | undefined): UpgradeRoute {
  const { url, version, error } = splitVersionedUrl(rawUrl ?? '/');
  if (error) throw new InvalidArgumentError(error);
  const matched = matchPath(method, url);
  if (!matched) throw new InvalidArgumentError(`not a hijacking endpoint: ${method ?? ''} ${url}`);
  const queryStart = url.indexOf('?');
  // URLSearchParams decodes leniently (a stray `%` stays as is), as fastify's query parser does.
  const query = Object.fromEntries(new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)));
  return { kind: matched.kind, id: decodePathSegment(matched.rawId), query, version };
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`invalid URL path: malformed percent-encoding in "${segment}"`);
  }
}
