import { fetch, type RequestInit, type Response } from 'undici';
import { readBoundedJson } from './bounded-body.js';
import { RegistryClientError, responseError } from './registry-client-error.js';
import { parseChallenges, type AuthChallenge } from './www-authenticate.js';

export interface Credentials {
  username: string;
  password: string;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

// A token answer is a small JSON document; a larger one is a hostile token server.
const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;
// Docker reads a token without `expires_in` as valid for 60 s, the spec's minimum.
const DEFAULT_TOKEN_SECONDS = 60;
// Renewed this long before it expires, so a request never leaves with a token about to lapse.
const EXPIRY_MARGIN_MS = 5_000;

/**
 * Answers a registry's 401 challenges: basic credentials, or a bearer token fetched from the
 * challenge's realm for the request's scope (`repository:<name>:pull`), cached until it expires.
 */
export class RegistryAuth {
  private readonly tokens = new Map<string, CachedToken>();
  private basic = false;

  constructor(
    private readonly credentials: Credentials | undefined,
    private readonly now: () => number = Date.now,
    /** How the token server is reached: the registry's own connection settings (its CAs). */
    private readonly fetchToken: (url: URL, init: RequestInit) => Promise<Response> = (url, init) => fetch(url, init),
  ) {}

  /** The Authorization header to send first for `scope`, from what earlier challenges taught. */
  headerFor(scope: string): string | undefined {
    if (this.basic) return this.basicHeader();
    const token = this.tokens.get(scope);
    return token && token.expiresAt > this.now() ? token.header : undefined;
  }

  /**
   * The Authorization header answering a 401's challenges, or undefined when none can be answered.
   * A registry reached over HTTPS may not send the credentials to a token realm over plain HTTP.
   */
  async answer(challengeHeader: string | null, scope: string, secure = false): Promise<string | undefined> {
    const challenges = parseChallenges(challengeHeader ?? '');
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer?.params.realm) {
      const realm = URL.parse(bearer.params.realm);
      if (!realm || (realm.protocol !== 'https:' && realm.protocol !== 'http:')) throw new RegistryClientError(`token realm ${JSON.stringify(bearer.params.realm)}: not an http(s) URL`);
      if (secure && realm.protocol !== 'https:') throw new RegistryClientError(`token realm ${bearer.params.realm}: an HTTPS registry's token server must be HTTPS too`);
      return this.requestToken(realm, bearer, scope);
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic') && this.credentials) {
      this.basic = true;
      return this.basicHeader();
    }
    return undefined;
  }

  private basicHeader(): string | undefined {
    const { username, password } = this.credentials ?? {};
    return username === undefined ? undefined : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /** `scope` may hold several, space-separated (a cross-repository mount reads one repository and writes another). */
  private async requestToken(url: URL, challenge: AuthChallenge, scope: string): Promise<string> {
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const one of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', one);
    const headers: Record<string, string> = {};
    const basic = this.basicHeader();
    if (basic) headers.authorization = basic;
    const response = await this.fetchToken(url, { headers }).catch((err: Error) => {
      throw new RegistryClientError(`token from ${url.origin}${url.pathname}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    });
    if (!response.ok) throw await responseError(response, `token from ${url.origin}${url.pathname}`);
    const body = ((await readBoundedJson(response, MAX_TOKEN_ANSWER_BYTES, `token from ${url.origin}${url.pathname}`)) ?? {}) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') throw new RegistryClientError(`token from ${url.origin}${url.pathname}: the answer has no token`);
    const seconds = typeof body.expires_in === 'number' && body.expires_in >= DEFAULT_TOKEN_SECONDS ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    const header = `Bearer ${token}`;
    this.tokens.set(scope, { header, expiresAt: this.now() + seconds * 1000 - EXPIRY_MARGIN_MS });
    return header;
  }
}
