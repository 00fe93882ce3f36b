/** One route berthd serves, named as fastify names it (`/containers/:id/json`, `/images/*`). */
export interface EngineRoute {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Served on a hijacked connection (a request with `Upgrade:`), outside fastify's router. */
  upgrade?: true;
}

/**
 * Every route of the Engine API that berthd serves. The daemon's tests check that its server registers
 * exactly these, and the e2e response-schema test that each has a response checked against the API
 * description: a new route must be added here, and then covered there.
 */
export const ENGINE_ROUTES: readonly EngineRoute[] = [
  { method: 'GET', url: '/_ping' },
  { method: 'HEAD', url: '/_ping' },
  { method: 'GET', url: '/version' },
  { method: 'GET', url: '/info' },
  { method: 'GET', url: '/system/df' },
  { method: 'POST', url: '/auth' },
  { method: 'GET', url: '/distribution/*' },
  { method: 'GET', url: '/events' },
  // Image names hold slashes: `/images/{name}/json`, `/history`, `/get`, `/tag` and DELETE `/images/{name}` are wildcards.
  { method: 'GET', url: '/images/json' },
  { method: 'GET', url: '/images/*' },
  { method: 'GET', url: '/images/get' },
  { method: 'POST', url: '/images/*' },
  { method: 'DELETE', url: '/images/*' },
  { method: 'POST', url: '/images/load' },
  { method: 'POST', url: '/images/prune' },
  { method: 'POST', url: '/images/create' },
  { method: 'POST', url: '/commit' },
  { method: 'POST', url: '/build' },
  { method: 'POST', url: '/build/prune' },
  { method: 'POST', url: '/containers/create' },
  { method: 'GET', url: '/containers/json' },
  { method: 'POST', url: '/containers/prune' },
  { method: 'GET', url: '/containers/:id/json' },
  { method: 'DELETE', url: '/containers/:id' },
  { method: 'POST', url: '/containers/:id/start' },
  { method: 'POST', url: '/containers/:id/stop' },
  { method: 'POST', url: '/containers/:id/restart' },
  { method: 'POST', url: '/containers/:id/kill' },
  { method: 'POST', url: '/containers/:id/wait' },
  { method: 'POST', url: '/containers/:id/pause' },
  { method: 'POST', url: '/containers/:id/unpause' },
  { method: 'POST', url: '/containers/:id/rename' },
  { method: 'POST', url: '/containers/:id/update' },
  { method: 'POST', url: '/containers/:id/resize' },
  { method: 'GET', url: '/containers/:id/top' },
  { method: 'GET', url: '/containers/:id/stats' },
  { method: 'GET', url: '/containers/:id/logs' },
  { method: 'GET', url: '/containers/:id/changes' },
  { method: 'GET', url: '/containers/:id/export' },
  { method: 'HEAD', url: '/containers/:id/archive' },
  { method: 'GET', url: '/containers/:id/archive' },
  { method: 'PUT', url: '/containers/:id/archive' },
  { method: 'POST', url: '/containers/:id/attach' },
  { method: 'POST', url: '/containers/:id/attach', upgrade: true },
  { method: 'GET', url: '/containers/:id/attach/ws', upgrade: true },
  { method: 'POST', url: '/containers/:id/exec' },
  { method: 'POST', url: '/exec/:id/start' },
  { method: 'POST', url: '/exec/:id/start', upgrade: true },
  { method: 'GET', url: '/exec/:id/json' },
  { method: 'POST', url: '/exec/:id/resize' },
  { method: 'GET', url: '/volumes' },
  { method: 'POST', url: '/volumes/create' },
  { method: 'POST', url: '/volumes/prune' },
  { method: 'GET', url: '/volumes/:name' },
  { method: 'DELETE', url: '/volumes/:name' },
  { method: 'GET', url: '/networks' },
  { method: 'POST', url: '/networks/create' },
  { method: 'POST', url: '/networks/prune' },
  { method: 'GET', url: '/networks/:id' },
  { method: 'DELETE', url: '/networks/:id' },
  { method: 'POST', url: '/networks/:id/connect' },
  { method: 'POST', url: '/networks/:id/disconnect' },
];
