import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../../registry-error.js';
import type { Access } from './access.js';

/** A 401 UNAUTHORIZED with the `WWW-Authenticate` challenge that tells the client how to authenticate. */
export class AuthChallenge extends RegistryError {
  constructor(
    readonly wwwAuthenticate: string,
    access: Access[],
  ) {
    super('UNAUTHORIZED', 'authentication required', accessDetail(access));
  }
}

/** An error's detail naming the access the request needed, in the Go registry's shape. */
export function accessDetail(access: Access[]): unknown {
  return access.map(({ type, name, action }) => ({ Type: type, Class: '', Name: name, Action: action }));
}

/** Checks a request against the access it needs: resolves when granted, throws an AuthChallenge otherwise. */
export interface AccessController {
  /** Resolves to the user the request authenticated as, when the scheme names one. */
  authorize(request: FastifyRequest, access: Access[]): Promise<string | undefined>;
}

/** `Authorization: Basic …` as user and password, or undefined when the header is absent or not Basic. */
export function basicCredentials(request: FastifyRequest): { user: string; password: string } | undefined {
  const [scheme, value] = (request.headers.authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A challenge parameter quoted as Go's `%q` quotes it. */
export function quoted(value: string): string {
  return JSON.stringify(value);
}

/** Runs `check`; when it refuses with a challenge, the reply carries the challenge's `WWW-Authenticate`. */
export async function withChallengeHeader<T>(reply: FastifyReply, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof AuthChallenge) void reply.header('WWW-Authenticate', err.wwwAuthenticate);
    throw err;
  }
}
