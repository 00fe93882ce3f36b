import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../config-auth.js';
import { createRegistryServer } from '../registry-routes.js';
import { MemoryBackend } from '../test-support/memory-backend.js';
import { openAuth } from './open-auth.js';

const TOKEN = { scheme: 'token', realm: 'http://r/auth/token', service: 'r', issuer: 'berth', anonymousPull: false } as const;

let work: string;
let app: FastifyInstance | undefined;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-registry-auth-'));
  await writeFile(join(work, 'htpasswd'), `alice:${bcrypt.hashSync('secret', 4)}\n`);
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(work, { recursive: true, force: true });
});

/** A token from the configured issuer for alice, then the answer to a push with it. */
async function pushWithIssuedToken(config: AuthConfig): Promise<number> {
  const auth = await openAuth(config);
  app = createRegistryServer(new MemoryBackend(), { logLevel: 'silent', authorize: auth.authorize });
  void app.register(auth.tokenEndpoint!);
  const issued = await app.inject({ method: 'GET', url: '/auth/token?service=r&scope=repository:a:pull,push', headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` } });
  expect(issued.statusCode).toBe(200);
  const { token } = issued.json() as { token: string };
  const res = await app.inject({ method: 'POST', url: '/v2/a/blobs/uploads/', headers: { authorization: `Bearer ${token}` } });
  return res.statusCode;
}

describe('openAuth', () => {
  it('verifies tokens against a certificate of the root cert bundle, signed by its private key', async () => {
    const [key, cert] = [join(work, 'key.pem'), join(work, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=berth', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    expect(await pushWithIssuedToken({ ...TOKEN, rootCertBundle: cert, issuerHtpasswd: join(work, 'htpasswd'), signingKey: key })).toBe(202);
  });

  it('verifies and signs tokens with an HMAC secret file', async () => {
    await writeFile(join(work, 'secret'), `${'s'.repeat(40)}\n`);
    expect(await pushWithIssuedToken({ ...TOKEN, secretFile: join(work, 'secret'), issuerHtpasswd: join(work, 'htpasswd') })).toBe(202);
  });

  it('refuses unusable files, naming them', async () => {
    await writeFile(join(work, 'empty.pem'), 'nothing here');
    await writeFile(join(work, 'short'), 'tiny');
    await writeFile(join(work, 'md5'), 'alice:$apr1$abc$def\n');
    await expect(openAuth({ ...TOKEN, rootCertBundle: join(work, 'empty.pem') })).rejects.toThrow(`${join(work, 'empty.pem')}: no CERTIFICATE or PUBLIC KEY in PEM`);
    await expect(openAuth({ ...TOKEN, secretFile: join(work, 'short') })).rejects.toThrow(/at least 32 bytes/);
    await expect(openAuth({ scheme: 'htpasswd', realm: 'r', path: join(work, 'md5'), anonymousPull: false })).rejects.toThrow(/only bcrypt entries/);
    await expect(openAuth({ scheme: 'htpasswd', realm: 'r', path: join(work, 'absent'), anonymousPull: false })).rejects.toThrow(/ENOENT/);
  });
});
