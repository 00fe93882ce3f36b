import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';
import { GO_REGISTRY, startRegistry, writeHtpasswd, type TestRegistry } from './registry-harness.js';

const d = useTestDaemon();

/** tag → push → rmi → pull of busybox through the docker CLI: the same image ID and the same digest. */
async function roundTrip(registry: TestRegistry, repository: string): Promise<void> {
  const image = `${registry.host}/${repository}:v1`;
  const id = (await d.docker.getImage('busybox').inspect()).Id;
  expect((await d.dockerCli(['tag', 'busybox', image])).code).toBe(0);
  const pushed = await d.dockerCli(['push', image]);
  expect(pushed.code, pushed.stderr).toBe(0);
  const lines = pushed.stdout.trim().split('\n');
  expect(lines[0]).toBe(`The push refers to repository [${registry.host}/${repository}]`);
  expect(lines.filter((line) => line.endsWith(': Pushed'))).toHaveLength(1);
  const digest = /^v1: digest: (sha256:[a-f0-9]{64}) size: \d+$/.exec(lines.at(-1)!)?.[1];
  expect(digest, pushed.stdout).toBeDefined();
  expect((await d.docker.getImage(image).inspect()).RepoDigests).toContain(`${registry.host}/${repository}@${digest}`);

  const again = await d.dockerCli(['push', image]);
  expect(again.stdout).toContain(': Layer already exists');
  expect(again.stdout).toContain(`v1: digest: ${digest}`);

  expect((await d.dockerCli(['rmi', image])).code).toBe(0);
  const pulled = await d.dockerCli(['pull', image]);
  expect(pulled.code, pulled.stderr).toBe(0);
  expect(pulled.stdout).toContain(`Digest: ${digest}`);
  expect((await d.docker.getImage(image).inspect()).Id).toBe(id);
  expect((await d.dockerCli(['run', '--rm', image, 'echo', 'round trip'])).stdout).toBe('round trip\n');
}

describe('docker push to berth-registry', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(() => registry?.stop());

  it('round-trips busybox with the same image ID and digest', () => roundTrip(registry, 'team/busybox'), 60_000);

  it('says when the image does not exist locally, in the stream, with exit 1', async () => {
    const result = await d.dockerCli(['push', `${registry.host}/nothing/here:v1`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`The push refers to repository [${registry.host}/nothing/here]`);
    expect(result.stderr).toContain(`An image does not exist locally with the tag: ${registry.host}/nothing/here`);
    // The repository exists locally (team/busybox:v1), the tag the CLI defaults to does not.
    const untagged = await d.dockerCli(['push', `${registry.host}/team/busybox`]);
    expect(untagged.code).toBe(1);
    expect(untagged.stderr).toContain(`tag does not exist: ${registry.host}/team/busybox:latest`);
  });
});

describe('docker push to a registry with htpasswd auth', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: berth\n    path: ${await writeHtpasswd(work, 'bob', 'builder')}\n`);
  }, 60_000);
  afterAll(() => registry?.stop());

  it('is refused without login and works after docker login', async () => {
    const image = `${registry.host}/private/busybox:v1`;
    expect((await d.dockerCli(['tag', 'busybox', image])).code).toBe(0);
    const anonymous = await d.dockerCli(['push', image]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/unauthorized/);
    expect((await d.dockerCli(['login', '-u', 'bob', '--password-stdin', registry.host], 'builder')).code).toBe(0);
    const pushed = await d.dockerCli(['push', image]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/v1: digest: sha256:[a-f0-9]{64} size: \d+/);
  });
});

// The distribution project's Go registry, an independent implementation (tools/setup --test installs it).
const goTitle = 'docker push and pull with the Go registry';
describe.skipIf(!existsSync(GO_REGISTRY))(existsSync(GO_REGISTRY) ? goTitle : `${goTitle}: skipped, ${GO_REGISTRY} is not installed`, () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry(() => '', { go: true });
  }, 60_000);
  afterAll(() => registry?.stop());

  it('round-trips busybox with the same image ID and digest', () => roundTrip(registry, 'go/busybox'), 60_000);
});
