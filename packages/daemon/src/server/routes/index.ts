import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine.js';
import type { HijackedRoute } from '../hijacked-route.js';
import { archiveRoutes } from './archive.js';
import { attachHijackedRoutes, attachRoutes } from './attach.js';
import { authRoutes } from './auth.js';
import { buildRoutes } from './build.js';
import { containerOpsRoutes } from './container-ops.js';
import { containerRoutes } from './containers.js';
import { distributionRoutes } from './distribution.js';
import { eventRoutes } from './events.js';
import { execHijackedRoutes, execRoutes } from './exec.js';
import { imageCreateRoutes } from './image-create.js';
import { imageManageRoutes } from './image-manage.js';
import { imageRoutes } from './images.js';
import { logRoutes } from './logs.js';
import { networkRoutes } from './networks.js';
import { resizeRoutes } from './resize.js';
import { systemDfRoutes } from './system-df.js';
import { systemRoutes } from './system.js';
import { volumeRoutes } from './volumes.js';

/** Every route file's plain routes: a new domain's route file is added here, and nowhere else in server/. */
export const ROUTE_FILES: ReadonlyArray<(engine: Engine) => FastifyPluginAsync> = [
  systemRoutes,
  imageRoutes,
  imageManageRoutes,
  imageCreateRoutes,
  systemDfRoutes,
  containerRoutes,
  volumeRoutes,
  networkRoutes,
  eventRoutes,
  containerOpsRoutes,
  logRoutes,
  execRoutes,
  attachRoutes,
  resizeRoutes,
  archiveRoutes,
  authRoutes,
  distributionRoutes,
  buildRoutes,
];

/** The endpoints that hijack the connection when the request carries `Upgrade:`, as their route files declare them. */
export const HIJACKED_ROUTES: readonly HijackedRoute[] = [...attachHijackedRoutes, ...execHijackedRoutes];
