import type { FastifyRequest } from 'fastify';

const users = new WeakMap<FastifyRequest, string>();

/** Records who a request authenticated as, for the access log. */
export function setRequestUser(request: FastifyRequest, user: string | undefined): void {
  if (user !== undefined) users.set(request, user);
}

/** The user a request authenticated as; undefined for anonymous requests. */
export function requestUser(request: FastifyRequest): string | undefined {
  return users.get(request);
}
