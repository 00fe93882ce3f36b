import { ENGINE_ROUTES, type EngineRoute } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { createServer } from './create-server.js';
import type { Engine } from './engine.js';
import { UPGRADE_ROUTES } from './upgrade-route.js';

const key = (route: EngineRoute): string => `${route.method} ${route.url}${route.upgrade ? ' (upgrade)' : ''}`;

/** The routes a server registers; registering them does not use the engine, so none is given. */
async function servedRoutes(): Promise<EngineRoute[]> {
  const app = createServer({} as Engine, { logLevel: 'silent' });
  const routes: EngineRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: method as EngineRoute['method'], url: route.url });
  });
  await app.ready();
  await app.close();
  return [...routes, ...Object.values(UPGRADE_ROUTES).map(({ method, url }) => ({ method, url, upgrade: true as const }))];
}

describe('the served routes', () => {
  it('are those @berth/api lists, which the e2e response-schema test covers', async () => {
    expect((await servedRoutes()).map(key).sort()).toEqual(ENGINE_ROUTES.map(key).sort());
  });
});
