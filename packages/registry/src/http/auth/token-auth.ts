import type { KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { claimGrants, scopeParam, type Access, type AccessClaimEntry } from './access.js';
import { AuthChallenge, quoted, type AccessController } from './challenge.js';
import { signingAlgorithm } from './token-keys.js';

export interface TokenAuthOptions {
  realm: string;
  service: string;
  issuer: string;
  /** Any one of them may have signed a token: public keys (RS*, ES*) or an HMAC secret (HS256). */
  keys: KeyObject[];
}

// The Go registry's leeway for `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS = 60;

/**
 * The Go registry's `auth.token`: `Authorization: Bearer <jwt>` from a token server, checked for its
 * signature, `iss`, `aud` (the service), `exp`/`nbf`, and an `access` claim granting every action the
 * request needs. The challenge names the scope to ask for, with `error="invalid_token"` or
 * `error="insufficient_scope"` as Go adds them.
 */
export class TokenAccessController implements AccessController {
  constructor(private readonly options: TokenAuthOptions) {}

  async authorize(request: FastifyRequest, access: Access[]): Promise<string | undefined> {
    const [scheme, token] = (request.headers.authorization ?? '').split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw this.challenge(access);
    const claims = await this.verify(token).catch((err: unknown) => {
      request.log.warn({ err }, 'invalid bearer token');
      throw this.challenge(access, 'invalid_token');
    });
    if (!access.every((wanted) => claimGrants(claims.access ?? [], wanted))) throw this.challenge(access, 'insufficient_scope');
    return claims.sub;
  }

  private async verify(token: string): Promise<JWTPayload & { access?: AccessClaimEntry[] }> {
    const { issuer, service: audience } = this.options;
    let lastError: unknown;
    for (const key of this.options.keys) {
      try {
        // Each key verifies only its own algorithm (no HMAC with a public key, no `none`), and a token
        // must expire, as Go's registry requires.
        const { payload } = await jwtVerify<{ access?: AccessClaimEntry[] }>(token, key, {
          issuer,
          audience,
          clockTolerance: LEEWAY_SECONDS,
          algorithms: [signingAlgorithm(key)],
          requiredClaims: ['exp'],
        });
        if (payload.access !== undefined && !Array.isArray(payload.access)) throw new Error('the access claim is not a list');
        return payload;
      } catch (err) {
        // Another key of the bundle may have signed it; any other failure is final.
        if (!(err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSEAlgNotAllowed)) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private challenge(access: Access[], error?: 'invalid_token' | 'insufficient_scope'): AuthChallenge {
    const { realm, service } = this.options;
    const scope = scopeParam(access);
    const params = [`realm=${quoted(realm)}`, `service=${quoted(service)}`];
    if (scope) params.push(`scope=${quoted(scope)}`);
    if (error) params.push(`error=${quoted(error)}`);
    return new AuthChallenge(`Bearer ${params.join(',')}`, access);
  }
}
