import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run, type CommandResult } from './harness.js';
import { DOCKERD, startReferenceDockerd } from './reference-dockerd.js';
import { GO_REGISTRY, startRegistry, writeHtpasswd, type TestRegistry } from './registry-harness.js';

const USER = 'upstream-user';
const PASSWORD = 'upstream secret';

/** skopeo with an auth file of its own, so no credentials of the host's user are picked up. */
function skopeo(work: string, args: string[]): Promise<CommandResult> {
  return run('skopeo', args, { env: { REGISTRY_AUTH_FILE: join(work, 'auth.json') } });
}

function succeeded(result: CommandResult): string {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

// The upstream is an independent registry, the distribution project's Go one, with htpasswd auth: the
// cache answers its basic challenge with proxy.username and proxy.password. tools/setup --test installs it.
const title = 'berth-registry as a pull-through cache of the Go registry';
describe.skipIf(!existsSync(GO_REGISTRY))(existsSync(GO_REGISTRY) ? title : `${title}: skipped, ${GO_REGISTRY} is not installed`, () => {
  let upstream: TestRegistry;
  let cache: TestRegistry;
  let pushed: string;

  beforeAll(async () => {
    upstream = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: upstream\n    path: ${await writeHtpasswd(work, USER, PASSWORD)}\n`, { go: true });
    const digestFile = join(upstream.work, 'pushed.digest');
    succeeded(
      await skopeo(upstream.work, [
        'copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, '--digestfile', digestFile,
        `docker-archive:${await busyboxArchive()}`, `docker://${upstream.host}/library/busybox:latest`,
      ]),
    );
    pushed = (await readFile(digestFile, 'utf8')).trim();
    cache = await startRegistry(() => `proxy:\n  remoteurl: http://${upstream.host}\n  username: ${USER}\n  password: ${PASSWORD}\n`);
  }, 60_000);

  afterAll(async () => {
    await cache?.stop();
    await upstream?.stop();
  });

  it('serves the upstream image to an anonymous client with every digest preserved', async () => {
    const inspected = JSON.parse(succeeded(await skopeo(cache.work, ['inspect', '--tls-verify=false', `docker://${cache.host}/library/busybox:latest`]))) as { Digest: string };
    expect(inspected.Digest).toBe(pushed);
    const layout = join(cache.work, 'pulled');
    const digestFile = join(cache.work, 'pulled.digest');
    succeeded(await skopeo(cache.work, ['copy', '--src-tls-verify=false', '--digestfile', digestFile, `docker://${cache.host}/library/busybox:latest`, `dir:${layout}`]));
    expect((await readFile(digestFile, 'utf8')).trim()).toBe(pushed);
    expect(cache.output()).toContain(`a pull-through cache of http://${upstream.host}`);
  });

  it('refuses a push with UNSUPPORTED', async () => {
    const result = await skopeo(cache.work, ['copy', '--dest-tls-verify=false', `docker-archive:${await busyboxArchive()}`, `docker://${cache.host}/mine/busybox:1`]);
    expect(result.code).not.toBe(0);
    const upload = await fetch(`http://${cache.host}/v2/mine/busybox/blobs/uploads/`, { method: 'POST' });
    expect(upload.status).toBe(405);
    expect(((await upload.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('UNSUPPORTED');
  });

  it.skipIf(!existsSync(DOCKERD))('lets the reference engine pull through it', async () => {
    const dockerd = await startReferenceDockerd();
    try {
      const pulled = await dockerd.docker(['pull', `${cache.host}/library/busybox:latest`]);
      expect(pulled.code, `${pulled.stderr}\n${dockerd.output()}`).toBe(0);
      expect(pulled.stdout).toContain(`Digest: ${pushed}`);
    } finally {
      await dockerd.stop();
    }
  }, 60_000);

  it('keeps serving what it cached once upstream is gone', async () => {
    await upstream.stop();
    const layout = join(cache.work, 'offline');
    const digestFile = join(cache.work, 'offline.digest');
    succeeded(await skopeo(cache.work, ['copy', '--src-tls-verify=false', '--digestfile', digestFile, `docker://${cache.host}/library/busybox:latest`, `dir:${layout}`]));
    expect((await readFile(digestFile, 'utf8')).trim()).toBe(pushed);
  });
});
