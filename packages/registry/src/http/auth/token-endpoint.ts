import { randomUUID, type KeyObject } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { RegistryError } from '../../registry-error.js';
import { parseScope, toAccessClaim, type Access } from './access.js';
import type { AccessRules } from './access-rules.js';
import { AuthChallenge, basicCredentials, quoted, withChallengeHeader } from './challenge.js';
import type { Htpasswd } from './htpasswd.js';
import { signingAlgorithm } from './token-keys.js';

export interface TokenEndpointOptions {
  /** The `service` tokens are for: their `aud`. */
  service: string;
  issuer: string;
  users: Htpasswd;
  /** What each user may be granted; every action asked for when absent. */
  rules?: AccessRules;
  signingKey: KeyObject;
  /** With no credentials, a token granting only the `pull` of what was asked. */
  anonymousPull: boolean;
  /** Lifetime of a token in seconds. */
  expiresIn?: number;
}

export const TOKEN_ENDPOINT_PATH = '/auth/token';
const DEFAULT_EXPIRES_IN = 300;
const TOKEN_ENDPOINT_REALM = 'berth-registry token';

/**
 * A minimal token server of the distribution token scheme at `GET /auth/token?service=…&scope=…`:
 * a user of the htpasswd file gets every action it asks for that the access rules grant (all of them
 * without rules, as the htpasswd scheme lets any user do anything); an action not granted is left out
 * of the token, as token servers do. `{token, access_token, expires_in, issued_at}` as Docker's token
 * servers answer.
 */
export function tokenEndpoint(options: TokenEndpointOptions): FastifyPluginAsync {
  const algorithm = signingAlgorithm(options.signingKey);
  const expiresIn = options.expiresIn ?? DEFAULT_EXPIRES_IN;
  return async (app) => {
    app.get(TOKEN_ENDPOINT_PATH, async (request, reply) => {
      const query = request.query as Record<string, string | string[] | undefined>;
      const service = [query.service ?? []].flat()[0];
      if (service !== undefined && service !== options.service) throw new RegistryError('DENIED', 'unknown service', { service });
      const wanted = requestedScopes(query.scope);
      const user = await withChallengeHeader(reply, () => authenticate(request, options));
      const granted =
        user === undefined ? wanted.filter(({ type, action }) => type === 'repository' && action === 'pull') : wanted.filter((access) => options.rules?.grants(user, access) ?? true);
      const issuedAt = new Date();
      const token = await new SignJWT({ access: toAccessClaim(granted) })
        .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setSubject(user ?? '')
        .setAudience(options.service)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(Math.floor(issuedAt.getTime() / 1000) + expiresIn)
        .setJti(randomUUID())
        .sign(options.signingKey);
      return reply.send({ token, access_token: token, expires_in: expiresIn, issued_at: issuedAt.toISOString() });
    });
  };
}

/** The user the request's Basic credentials name; undefined for none when anonymous pull is on, 401 otherwise. */
async function authenticate(request: FastifyRequest, options: TokenEndpointOptions): Promise<string | undefined> {
  const credentials = basicCredentials(request);
  if (credentials && (await options.users.verify(credentials.user, credentials.password))) return credentials.user;
  if (!credentials && options.anonymousPull) return undefined;
  request.log.warn({ user: credentials?.user }, 'token request refused');
  throw new AuthChallenge(`Basic realm=${quoted(TOKEN_ENDPOINT_REALM)}`, []);
}

/** Every `scope` parameter, each a space-separated list; UNSUPPORTED for one that is not `type:name:actions`. */
function requestedScopes(scope: string | string[] | undefined): Access[] {
  return [scope ?? []].flat().flatMap((value) => value.split(' ').filter(Boolean)).flatMap((one) => {
    const access = parseScope(one);
    if (!access) throw new RegistryError('UNSUPPORTED', 'invalid scope', { scope: one });
    return access;
  });
}
