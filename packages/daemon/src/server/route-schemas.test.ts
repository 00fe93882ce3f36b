import type { RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';
import type { Engine } from './engine.js';
import { UPGRADE_ROUTES } from './upgrade-route.js';

interface DeclaredRoute {
  method: string;
  url: string;
  schema?: { params?: unknown; querystring?: unknown; body?: unknown };
}

/** Every route the real server factory registers, as fastify's onRoute hook reports it. */
async function registeredRoutes(): Promise<DeclaredRoute[]> {
  // Routes only keep the engine for their handlers, which never run here.
  const app = createServer({} as Engine, { logLevel: 'silent' });
  const routes: DeclaredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema });
  });
  await app.ready();
  await app.close();
  return routes;
}

const upgradeRoutes: DeclaredRoute[] = Object.values(UPGRADE_ROUTES).map((route) => ({ ...route }));

/** What is missing from a route's declaration: each request part it can carry needs an `@berth/api` schema. */
function missingSchemas(route: DeclaredRoute): string[] {
  const missing: string[] = [];
  if (!route.schema?.querystring) missing.push('querystring');
  if (/[:*]/.test(route.url) && !route.schema?.params) missing.push('params');
  if ((route.method === 'POST' || route.method === 'PUT') && route.schema?.body === undefined) missing.push('body');
  return missing.map((part) => `${route.method} ${route.url}: no ${part} schema`);
}

describe('request schemas', () => {
  it('are declared for the query, path and body of every route, hijacked ones included', async () => {
    const routes = [...(await registeredRoutes()), ...upgradeRoutes];
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.flatMap(missingSchemas)).toEqual([]);
  });

  it('name exactly the parameters in each path', async () => {
    for (const route of [...(await registeredRoutes()), ...upgradeRoutes]) {
      const inPath = [...route.url.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*').sort();
      const declared = Object.keys((route.schema?.params as { properties?: object } | undefined)?.properties ?? {}).sort();
      expect(declared, `${route.method} ${route.url}`).toEqual(inPath);
    }
  });

  it('flags a route that lacks one', () => {
    expect(missingSchemas({ method: 'POST', url: '/containers/:id/kill', schema: { querystring: {} } })).toEqual([
      'POST /containers/:id/kill: no params schema',
      'POST /containers/:id/kill: no body schema',
    ]);
  });
});
