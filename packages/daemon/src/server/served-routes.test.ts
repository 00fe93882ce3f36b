import { ENGINE_ROUTES, type EngineRoute } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';
import type { Engine } from './engine.js';
import { HIJACKED_ROUTES } from './routes/index.js';

type ServedRoute = EngineRoute & { schema?: { params?: unknown; querystring?: unknown; body?: unknown } };

const key = (route: EngineRoute): string => `${route.method} ${route.url}${route.upgrade ? ' (upgrade)' : ''}`;

/** The routes a server registers, with their request schemas; registering them does not use the engine, so none is given. */
async function servedRoutes(): Promise<ServedRoute[]> {
  const app = createServer({} as Engine, { logLevel: 'silent' });
  const routes: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: method as EngineRoute['method'], url: route.url, schema: route.schema });
  });
  await app.ready();
  await app.close();
  return [...routes, ...HIJACKED_ROUTES.map(({ method, url, schema }) => ({ method, url, schema, upgrade: true as const }))];
}

/** What is missing from a route's declaration: each request part it can carry needs an `@berth/api` schema. */
function missingSchemas(route: ServedRoute): string[] {
  const missing: string[] = [];
  if (!route.schema?.querystring) missing.push('querystring');
  if (/[:*]/.test(route.url) && !route.schema?.params) missing.push('params');
  if ((route.method === 'POST' || route.method === 'PUT') && route.schema?.body === undefined) missing.push('body');
  return missing.map((part) => `${key(route)}: no ${part} schema`);
}

describe('the served routes', () => {
  it('are those @berth/api lists, which the e2e response-schema test covers', async () => {
    expect((await servedRoutes()).map(key).sort()).toEqual(ENGINE_ROUTES.map(key).sort());
  });

  it('declare a schema for the query, path and body of each, hijacked ones included', async () => {
    expect((await servedRoutes()).flatMap(missingSchemas)).toEqual([]);
  });

  it('name exactly the parameters in each path', async () => {
    for (const route of await servedRoutes()) {
      const inPath = [...route.url.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*').sort();
      const declared = Object.keys((route.schema?.params as { properties?: object } | undefined)?.properties ?? {}).sort();
      expect(declared, key(route)).toEqual(inPath);
    }
  });

  it('would be flagged for a missing schema', () => {
    expect(missingSchemas({ method: 'POST', url: '/containers/:id/kill', schema: { querystring: {} } })).toEqual([
      'POST /containers/:id/kill: no params schema',
      'POST /containers/:id/kill: no body schema',
    ]);
  });
});
