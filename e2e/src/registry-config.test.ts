import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, startTestDaemon, type TestDaemon } from './harness.js';
import { pushBusybox, startRegistry, type TestRegistry } from './registry-harness.js';
import { startTlsRegistry } from './registry-tls.js';

/** The manifest GETs a berth-registry logged for `repository`. */
function manifestGets(registry: TestRegistry, repository: string): number {
  return registry
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { method?: string; path?: string })
    .filter((line) => line.method === 'GET' && line.path?.startsWith(`/v2/${repository}/manifests/`)).length;
}

describe('a registry mirror for a loopback registry (registry-mirrors-for)', () => {
  let origin: TestRegistry;
  let mirror: TestRegistry;
  let daemon: TestDaemon;
  let image: string;

  beforeAll(async () => {
    origin = await startRegistry();
    await pushBusybox(origin, 'library/busybox', 'latest');
    // The mirror is a pull-through cache of the origin, as mirrors usually are.
    mirror = await startRegistry(() => `proxy:\n  remoteurl: http://${origin.host}\n`);
    daemon = await startTestDaemon(['--registry-mirror-for', `${origin.host}=http://${mirror.host}`, '--insecure-registry', 'registry.test:5000', '--registry-mirror', 'https://hub-mirror.test']);
    image = `${origin.host}/library/busybox:latest`;
  }, 60_000);
  afterAll(async () => {
    await daemon?.cleanup();
    await mirror?.stop();
    await origin?.stop();
  });

  it('serves the pull from the mirror', async () => {
    const pulled = await daemon.dockerCli(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${image}`);
    expect(manifestGets(mirror, 'library/busybox')).toBeGreaterThan(0);
    expect((await daemon.dockerCli(['run', '--rm', image, 'echo', 'mirrored'])).stdout).toBe('mirrored\n');
  });

  it('falls back to the origin once the mirror is gone', async () => {
    await mirror.stop();
    expect((await daemon.dockerCli(['rmi', image])).code).toBe(0);
    const before = manifestGets(origin, 'library/busybox');
    const pulled = await daemon.dockerCli(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${image}`);
    expect(manifestGets(origin, 'library/busybox')).toBeGreaterThan(before);
  });

  it('reports the registries config as dockerd does', async () => {
    const info = (await daemon.docker.info()) as { RegistryConfig: { IndexConfigs: Record<string, unknown>; InsecureRegistryCIDRs: string[]; Mirrors: string[] } };
    expect(info.RegistryConfig.IndexConfigs[origin.host]).toEqual({ Name: origin.host, Mirrors: [`http://${mirror.host}/`], Secure: true, Official: false });
    expect(info.RegistryConfig.Mirrors).toEqual(['https://hub-mirror.test/']);
    const printed = await daemon.dockerCli(['info']);
    expect(printed.stdout).toContain(' Insecure Registries:\n  registry.test:5000\n  ::1/128\n  127.0.0.0/8\n Registry Mirrors:\n  https://hub-mirror.test/\n');
  });
});

describe('client certificates from the certs.d directory', () => {
  let registry: TestRegistry;
  let certsDir: string;
  let daemon: TestDaemon;

  beforeAll(async () => {
    registry = await startTlsRegistry(true);
    certsDir = await mkdtemp(join(tmpdir(), 'berth-certs.d-'));
    daemon = await startTestDaemon(['--registry-certs-dir', certsDir]);
    expect((await daemon.dockerCli(['load', '-i', await busyboxArchive()])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await daemon?.cleanup();
    await registry?.stop();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('are refused by a registry that asks for one when certs.d has none', async () => {
    const image = `${registry.host}/tls/busybox:v1`;
    expect((await daemon.dockerCli(['tag', 'busybox', image])).code).toBe(0);
    const refused = await daemon.dockerCli(['push', image]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toBe('');
    expect((await daemon.docker.ping()).toString()).toBe('OK');
  });

  it('are presented from <certs.d>/<host:port>/client.cert and .key, for push and pull', async () => {
    const dir = join(certsDir, registry.host);
    await mkdir(dir);
    await copyFile(join(registry.work, 'client.pem'), join(dir, 'client.cert'));
    await copyFile(join(registry.work, 'client.key'), join(dir, 'client.key'));
    const image = `${registry.host}/tls/busybox:v1`;
    const pushed = await daemon.dockerCli(['push', image]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect((await daemon.dockerCli(['rmi', image])).code).toBe(0);
    const pulled = await daemon.dockerCli(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${image}`);
  });
});
