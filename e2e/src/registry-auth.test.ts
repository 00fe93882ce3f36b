import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run, type CommandResult } from './harness.js';
import { startRegistry, writeHtpasswd as writeUserFile, type TestRegistry } from './registry-harness.js';

const USER = 'alice';
const PASSWORD = 'correct horse';
const writeHtpasswd = (work: string) => writeUserFile(work, USER, PASSWORD);

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** skopeo with an auth file of its own, so no credentials of the host's user are picked up. */
function skopeo(registry: TestRegistry, args: string[]): Promise<CommandResult> {
  return run('skopeo', args, { env: { REGISTRY_AUTH_FILE: join(registry.work, 'auth.json') } });
}

function expectSuccess(result: CommandResult): void {
  expect(result.code, result.stderr).toBe(0);
}

describe('berth-registry with htpasswd auth', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: berth-registry\n    path: ${await writeHtpasswd(work)}\n`);
  });
  afterAll(() => registry?.stop());

  it('answers /v2/ 401 with a Basic challenge without credentials, 200 with them', async () => {
    const anonymous = await fetch(`http://${registry.host}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="berth-registry"');
    expect(await anonymous.json()).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
    expect((await fetch(`http://${registry.host}/v2/`, { headers: basic(USER, 'wrong') })).status).toBe(401);
    expect((await fetch(`http://${registry.host}/v2/`, { headers: basic(USER, PASSWORD) })).status).toBe(200);
  });

  it('refuses skopeo an anonymous push, takes it after login, and serves it to an authenticated inspect', async () => {
    const image = `docker://${registry.host}/x/busybox:1`;
    const archive = `docker-archive:${await busyboxArchive()}`;
    const anonymous = await skopeo(registry, ['copy', '--dest-tls-verify=false', archive, image]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/authentication required|unauthorized/i);
    const wrong = await skopeo(registry, ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:wrong`, archive, image]);
    expect(wrong.code).not.toBe(0);

    const digestFile = join(registry.work, 'pushed.digest');
    expectSuccess(await skopeo(registry, ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, '--digestfile', digestFile, archive, image]));
    const inspected = await skopeo(registry, ['inspect', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, image]);
    expectSuccess(inspected);
    expect((JSON.parse(inspected.stdout) as { Digest: string }).Digest).toBe((await readFile(digestFile, 'utf8')).trim());
    expect((await skopeo(registry, ['inspect', '--tls-verify=false', image])).code).not.toBe(0);
  });
});

describe('berth-registry with token auth and its token issuer, anonymous pull on', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(async (host, work) => {
      const secret = join(work, 'token-secret');
      await writeFile(secret, `${'k'.repeat(48)}\n`);
      return `auth:\n  token:\n    realm: http://${host}/auth/token\n    service: berth-test\n    issuer: berth-test-issuer\n    secretfile: ${secret}\n    htpasswd: ${await writeHtpasswd(work)}\n    anonymouspull: true\n`;
    });
  });
  afterAll(() => registry?.stop());

  it('challenges with Bearer, lets skopeo push with a token it gets for its credentials, and pull anonymously', async () => {
    const res = await fetch(`http://${registry.host}/v2/x/busybox/blobs/uploads/`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="http://${registry.host}/auth/token",service="berth-test",scope="repository:x/busybox:pull,push"`);

    const image = `docker://${registry.host}/x/busybox:1`;
    const archive = `docker-archive:${await busyboxArchive()}`;
    const anonymous = await skopeo(registry, ['copy', '--dest-tls-verify=false', archive, image]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/authentication required|unauthorized|denied/i);
    expectSuccess(await skopeo(registry, ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, archive, image]));
    const inspected = await skopeo(registry, ['inspect', '--tls-verify=false', image]);
    expectSuccess(inspected);
    expect((JSON.parse(inspected.stdout) as { RepoTags: string[] }).RepoTags).toEqual(['1']);
  });
});
