import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive } from './harness.js';
import { DOCKERD, startReferenceDockerd, type ReferenceDockerd } from './reference-dockerd.js';
import { startRegistry, type TestRegistry } from './registry-harness.js';

// The Go engine as a registry client: Docker treats 127.0.0.0/8 as an insecure registry, so plain HTTP
// on loopback needs no daemon option.
const title = 'berth-registry with the reference engine (dockerd 20.10)';
// tools/setup --test installs docker.io; only a machine where it cannot be installed skips, and says why.
describe.skipIf(!existsSync(DOCKERD))(existsSync(DOCKERD) ? title : `${title}: skipped, ${DOCKERD} is not installed`, () => {
  let registry: TestRegistry;
  let dockerd: ReferenceDockerd;

  beforeAll(async () => {
    registry = await startRegistry();
    dockerd = await startReferenceDockerd();
  }, 60_000);

  afterAll(async () => {
    await dockerd?.stop();
    await registry?.stop();
  });

  const ok = async (args: string[]): Promise<string> => {
    const result = await dockerd.docker(args);
    expect(result.code, `docker ${args.join(' ')}: ${result.stderr}\n${dockerd.output()}`).toBe(0);
    return result.stdout;
  };

  it('pushes busybox, and pulls it back with the same digest and image ID', async () => {
    const image = `${registry.host}/ref/busybox:1`;
    await ok(['load', '-i', await busyboxArchive()]);
    await ok(['tag', 'busybox:latest', image]);
    const imageId = (await ok(['image', 'inspect', '-f', '{{.Id}}', image])).trim();
    const pushed = await ok(['push', image]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1];
    expect(digest, pushed).toBeDefined();

    const manifest = await fetch(`http://${registry.host}/v2/ref/busybox/manifests/1`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(digest);

    await ok(['rmi', image, 'busybox:latest']);
    const pulled = await ok(['pull', image]);
    expect(pulled).toContain(`Digest: ${digest}`);
    expect((await ok(['image', 'inspect', '-f', '{{.Id}}', image])).trim()).toBe(imageId);
    expect((await ok(['image', 'inspect', '-f', '{{join .RepoDigests ","}}', image])).trim()).toBe(`${registry.host}/ref/busybox@${digest}`);
  });
});
