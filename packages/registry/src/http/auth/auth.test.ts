import { generateKeyPairSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRegistryServer } from '../registry-routes.js';
import { MemoryBackend, sha256 } from '../test-support/memory-backend.js';
import { AccessRules } from './access-rules.js';
import { authorizer } from './authorizer.js';
import { Htpasswd } from './htpasswd.js';
import { HtpasswdAccessController } from './htpasswd-auth.js';
import { TokenAccessController } from './token-auth.js';
import { tokenEndpoint } from './token-endpoint.js';

const USERS = Htpasswd.parse(`# users\nalice:${bcrypt.hashSync('secret', 4).replace(/^\$2b\$/, '$2y$')}\n\nbob:${bcrypt.hashSync('hunter2', 4)}\n`);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const TOKEN = { realm: 'http://registry.test/auth/token', service: 'registry.test', issuer: 'berth-test' };
const BLOB = 'layer';

let app: FastifyInstance;
afterEach(() => app?.close());

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function pushBlob(headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/v2/x/busybox/blobs/uploads/?digest=${sha256(BLOB)}`, headers: { 'content-type': 'application/octet-stream', ...headers }, payload: BLOB });
}

function pullBlob(headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/v2/x/busybox/blobs/${sha256(BLOB)}`, headers });
}

// alice pushes to x/*, everyone pulls everything.
const RULES = new AccessRules([
  { account: 'alice', name: 'x/*', actions: ['push'] },
  { account: '*', name: '*', actions: ['pull'] },
]);

function htpasswdServer(anonymousPull = false, rules?: AccessRules): FastifyInstance {
  return createRegistryServer(new MemoryBackend(), { logLevel: 'silent', authorize: authorizer({ controller: new HtpasswdAccessController('berth', USERS, rules), anonymousPull }) });
}

function tokenServer(anonymousPull = false, rules?: AccessRules): FastifyInstance {
  const server = createRegistryServer(new MemoryBackend(), { logLevel: 'silent', authorize: authorizer({ controller: new TokenAccessController({ ...TOKEN, keys: [publicKey] }), anonymousPull }) });
  void server.register(tokenEndpoint({ service: TOKEN.service, issuer: TOKEN.issuer, users: USERS, rules, signingKey: privateKey, anonymousPull }));
  return server;
}

function sign(claims: { access?: unknown; aud?: string; iss?: string; exp?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ access: claims.access ?? [] })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(claims.iss ?? TOKEN.issuer)
    .setAudience(claims.aud ?? TOKEN.service)
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 300)
    .sign(privateKey);
}

function errorCode(res: { json(): unknown }): string {
  return (res.json() as { errors: { code: string }[] }).errors[0]!.code;
}

describe('Htpasswd', () => {
  it('verifies $2y$, $2a$ and $2b$ entries and refuses unknown users and wrong passwords', async () => {
    expect(await USERS.verify('alice', 'secret')).toBe(true);
    expect(await USERS.verify('bob', 'hunter2')).toBe(true);
    expect(await USERS.verify('alice', 'hunter2')).toBe(false);
    expect(await USERS.verify('carol', 'secret')).toBe(false);
    expect(await Htpasswd.parse(`a:${bcrypt.hashSync('p', 4).replace(/^\$2b\$/, '$2a$')}`).verify('a', 'p')).toBe(true);
  });

  it('remembers a success for five minutes, so a pull does not pay bcrypt per request; never a failure', async () => {
    let now = 0;
    const users = Htpasswd.parse(`alice:${bcrypt.hashSync('secret', 4)}`, 'users', () => now);
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      expect(await users.verify('alice', 'secret')).toBe(true);
      expect(await users.verify('alice', 'secret')).toBe(true);
      expect(compare).toHaveBeenCalledTimes(1);
      expect(await users.verify('alice', 'wrong')).toBe(false);
      expect(await users.verify('alice', 'wrong')).toBe(false);
      expect(compare).toHaveBeenCalledTimes(3);
      now += 5 * 60_000;
      expect(await users.verify('alice', 'secret')).toBe(true);
      expect(compare).toHaveBeenCalledTimes(4);
    } finally {
      compare.mockRestore();
    }
  });

  it('refuses entries that are not bcrypt at load, naming the line and user', () => {
    expect(() => Htpasswd.parse('alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', 'users')).toThrow(/users: line 1 \(user "alice"\): only bcrypt entries/);
    expect(() => Htpasswd.parse('\nalice:$apr1$abc$def', 'users')).toThrow(/line 2/);
    expect(() => Htpasswd.parse('nocolon', 'users')).toThrow(/invalid entry at line 1/);
  });
});

describe('htpasswd auth', () => {
  it('answers a request without credentials, /v2/ included, 401 UNAUTHORIZED with a Basic challenge', async () => {
    app = htpasswdServer();
    for (const res of [await app.inject({ method: 'GET', url: '/v2/' }), await pushBlob()]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="berth"');
      expect(errorCode(res)).toBe('UNAUTHORIZED');
    }
    const head = await app.inject({ method: 'HEAD', url: '/v2/x/busybox/manifests/1' });
    expect(head.statusCode).toBe(401);
    expect(head.headers['www-authenticate']).toBe('Basic realm="berth"');
    expect((await pushBlob()).json()).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: ['pull', 'push'].map((Action) => ({ Type: 'repository', Class: '', Name: 'x/busybox', Action })) }],
    });
  });

  it('refuses a wrong password or an unknown user with the same challenge', async () => {
    app = htpasswdServer();
    for (const headers of [basic('alice', 'wrong'), basic('mallory', 'secret'), { authorization: 'Basic !!!' }]) {
      const res = await pushBlob(headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="berth"');
    }
  });

  it('lets a user of the file push and pull', async () => {
    app = htpasswdServer();
    expect((await app.inject({ method: 'GET', url: '/v2/', headers: basic('alice', 'secret') })).statusCode).toBe(200);
    expect((await pushBlob(basic('alice', 'secret'))).statusCode).toBe(201);
    expect((await pullBlob(basic('bob', 'hunter2'))).body).toBe(BLOB);
    expect((await pullBlob()).statusCode).toBe(401);
  });

  it('with anonymous pull, pulls without credentials but still authenticates push, the catalog and /v2/', async () => {
    app = htpasswdServer(true);
    expect((await pushBlob()).statusCode).toBe(401);
    expect((await pushBlob(basic('alice', 'secret'))).statusCode).toBe(201);
    expect((await pullBlob()).body).toBe(BLOB);
    expect((await app.inject({ method: 'HEAD', url: `/v2/x/busybox/blobs/${sha256(BLOB)}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v2/_catalog' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v2/' })).statusCode).toBe(401);
    // Wrong credentials are refused even where none would do.
    expect((await pullBlob(basic('alice', 'wrong'))).statusCode).toBe(401);
  });
});

describe('access rules', () => {
  it('match users and repository names with * wildcards, granting the catalog to every user', () => {
    expect(RULES.grants('alice', { type: 'repository', name: 'x/a/b', action: 'push' })).toBe(true);
    expect(RULES.grants('alice', { type: 'repository', name: 'y/a', action: 'push' })).toBe(false);
    expect(RULES.grants('bob', { type: 'repository', name: 'x/a', action: 'push' })).toBe(false);
    expect(RULES.grants('bob', { type: 'repository', name: 'y', action: 'pull' })).toBe(true);
    expect(RULES.grants('bob', { type: 'repository', name: 'y', action: 'delete' })).toBe(false);
    expect(RULES.grants('bob', { type: 'registry', name: 'catalog', action: '*' })).toBe(true);
    expect(new AccessRules([{ account: 'a', name: 'a.b', actions: ['*'] }]).grants('a', { type: 'repository', name: 'aXb', action: 'pull' })).toBe(false);
  });

  it('with htpasswd auth, answer 403 DENIED to a user pushing where the rules do not let them', async () => {
    app = htpasswdServer(false, RULES);
    const res = await pushBlob(basic('bob', 'hunter2'));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied', detail: [{ Type: 'repository', Class: '', Name: 'x/busybox', Action: 'push' }] }] });
    expect((await pushBlob(basic('alice', 'secret'))).statusCode).toBe(201);
    expect((await pullBlob(basic('bob', 'hunter2'))).body).toBe(BLOB);
  });

  it('leave out of an issued token the actions the rules do not grant', async () => {
    app = tokenServer(false, RULES);
    const url = `/auth/token?service=${TOKEN.service}&scope=repository:x/busybox:pull,push`;
    const bobs = ((await app.inject({ method: 'GET', url, headers: basic('bob', 'hunter2') })).json() as { token: string }).token;
    expect((await pushBlob(bearer(bobs))).headers['www-authenticate']).toMatch(/insufficient_scope/);
    const alices = ((await app.inject({ method: 'GET', url, headers: basic('alice', 'secret') })).json() as { token: string }).token;
    expect((await pushBlob(bearer(alices))).statusCode).toBe(201);
    expect((await pullBlob(bearer(bobs))).body).toBe(BLOB);
  });
});

describe('token auth', () => {
  const PULL_PUSH = [{ type: 'repository', name: 'x/busybox', actions: ['pull', 'push'] }];

  it('challenges a request without a token with the scope it needs', async () => {
    app = tokenServer();
    const res = await pushBlob();
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="http://registry.test/auth/token",service="registry.test",scope="repository:x/busybox:pull,push"');
    expect((await app.inject({ method: 'GET', url: '/v2/' })).headers['www-authenticate']).toBe('Bearer realm="http://registry.test/auth/token",service="registry.test"');
    expect((await app.inject({ method: 'GET', url: '/v2/_catalog' })).headers['www-authenticate']).toContain('scope="registry:catalog:*"');
  });

  it('lets a token with pull and push scope push, and one with pull scope only pull', async () => {
    app = tokenServer();
    expect((await pushBlob(bearer(await sign({ access: PULL_PUSH })))).statusCode).toBe(201);
    const pullOnly = await sign({ access: [{ type: 'repository', name: 'x/busybox', actions: ['pull'] }] });
    expect((await pullBlob(bearer(pullOnly))).body).toBe(BLOB);
    const res = await pushBlob(bearer(pullOnly));
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="http://registry.test/auth/token",service="registry.test",scope="repository:x/busybox:pull,push",error="insufficient_scope"');
    // A scope for another repository grants nothing here; `*` grants every action.
    expect((await pullBlob(bearer(await sign({ access: [{ type: 'repository', name: 'x/other', actions: ['*'] }] })))).statusCode).toBe(401);
    expect((await pushBlob(bearer(await sign({ access: [{ type: 'repository', name: 'x/busybox', actions: ['*'] }] })))).statusCode).toBe(201);
  });

  it.each([
    ['expired', { access: PULL_PUSH, exp: Math.floor(Date.now() / 1000) - 3600 }],
    ['for another audience', { access: PULL_PUSH, aud: 'elsewhere' }],
    ['from another issuer', { access: PULL_PUSH, iss: 'mallory' }],
  ])('refuses a token %s as invalid_token', async (_what, claims) => {
    app = tokenServer();
    const res = await pushBlob(bearer(await sign(claims)));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/,error="invalid_token"$/);
  });

  it('refuses a token without an expiry, an unsigned one, and one signed with HMAC over the public key', async () => {
    app = tokenServer();
    const now = Math.floor(Date.now() / 1000);
    const forever = await new SignJWT({ access: PULL_PUSH }).setProtectedHeader({ alg: 'ES256' }).setIssuer(TOKEN.issuer).setAudience(TOKEN.service).setIssuedAt(now).sign(privateKey);
    const claims = Buffer.from(JSON.stringify({ access: PULL_PUSH, iss: TOKEN.issuer, aud: TOKEN.service, exp: now + 300 })).toString('base64url');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${claims}.`;
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const confused = await new SignJWT({ access: PULL_PUSH }).setProtectedHeader({ alg: 'HS256' }).setIssuer(TOKEN.issuer).setAudience(TOKEN.service).setExpirationTime('5m').sign(new TextEncoder().encode(String(pem)));
    for (const token of [forever, unsigned, confused]) expect((await pushBlob(bearer(token))).headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('refuses a token signed by another key, or not a JWT', async () => {
    app = tokenServer();
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const forged = await new SignJWT({ access: PULL_PUSH }).setProtectedHeader({ alg: 'ES256' }).setIssuer(TOKEN.issuer).setAudience(TOKEN.service).setExpirationTime('5m').sign(other);
    for (const token of [forged, 'not.a.jwt']) expect((await pushBlob(bearer(token))).headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('issues from /auth/token a token for a user of the htpasswd file that pushes', async () => {
    app = tokenServer();
    const res = await app.inject({ method: 'GET', url: `/auth/token?service=${TOKEN.service}&scope=repository:x/busybox:pull,push`, headers: basic('alice', 'secret') });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { token: string; access_token: string; expires_in: number };
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    expect((await pushBlob(bearer(body.token))).statusCode).toBe(201);
  });

  it('refuses the token endpoint wrong credentials, and grants anonymous requests only pull when anonymous pull is on', async () => {
    app = tokenServer();
    const url = `/auth/token?service=${TOKEN.service}&scope=repository:x/busybox:pull,push`;
    for (const headers of [basic('alice', 'wrong'), {}]) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    }
    expect((await app.inject({ method: 'GET', url: '/auth/token?service=elsewhere', headers: basic('alice', 'secret') })).statusCode).toBe(403);
    await app.close();
    app = tokenServer(true);
    const { token } = (await app.inject({ method: 'GET', url })).json() as { token: string };
    expect((await pushBlob(bearer(token))).headers['www-authenticate']).toMatch(/insufficient_scope/);
    expect((await pushBlob(basic('alice', 'secret'))).statusCode).toBe(401);
  });
});
