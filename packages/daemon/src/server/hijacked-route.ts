import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EngineRoute, assertMatchesSchema } from '@berth/api';
import type { Engine } from './engine.js';

type RequestPartSchema = Parameters<typeof assertMatchesSchema>[0];

/** What a hijacked route's request parts are once validated, named as fastify's route generics name them. */
export interface HijackedRouteTypes {
  Params?: unknown;
  Querystring?: unknown;
  Body?: unknown;
}

/** A hijacked request, its parts validated; the socket is the client's, past the request head. */
export interface HijackedRequest<T extends HijackedRouteTypes> {
  params: T['Params'];
  query: T['Querystring'];
  /** `null` when the client sent none, as fastify gives an empty body. */
  body: T['Body'] | null;
  raw: IncomingMessage;
  socket: Duplex;
  apiVersion: string;
}

/**
 * An endpoint served on the raw socket when its request carries `Upgrade:` (attach, exec start): declared
 * in the route files beside the ordinary routes, served by the one dispatcher in hijack.ts, which checks
 * each request part against its schema as fastify does for an ordinary route. A handler throws what fails
 * before it writes; past its response head it ends the stream itself.
 */
export interface HijackedRoute<T extends HijackedRouteTypes = HijackedRouteTypes> {
  method: EngineRoute['method'];
  url: string;
  /** A body, when declared, is read off the connection before the stream begins. */
  schema: { params: RequestPartSchema; querystring: RequestPartSchema; body?: RequestPartSchema };
  handler(engine: Engine, request: HijackedRequest<T>): Promise<void>;
}

/** Declares a hijacked endpoint, its handler's request typed as `T` says. */
export function hijackedRoute<T extends HijackedRouteTypes>(route: HijackedRoute<T>): HijackedRoute {
  return route as HijackedRoute;
}
