import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
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

/** The requests a registry logged: berth-registry's JSON access lines, the Go registry's "response completed" ones. */
function loggedRequests(output: string): Array<{ method: string; path: string; status: number }> {
  return output.split('\n').flatMap((line) => {
    if (line.startsWith('{')) {
      const record = JSON.parse(line) as { method?: string; path?: string; status?: number };
      return record.method && record.path ? [{ method: record.method, path: record.path, status: record.status ?? 0 }] : [];
    }
    const go = /http\.request\.method=(\w+).*http\.request\.uri="([^"?]*)[^"]*".*http\.response\.status=(\d+)/.exec(line);
    return go ? [{ method: go[1]!, path: go[2]!, status: Number(go[3]) }] : [];
  });
}

/** A push to another repository of the same registry mounts the layer from `from` instead of uploading it. */
async function mountsFrom(registry: TestRegistry, from: string, repository: string): Promise<void> {
  const image = `${registry.host}/${repository}:v1`;
  expect((await d.dockerCli(['tag', 'busybox', image])).code).toBe(0);
  const logged = registry.output().length;
  const pushed = await d.dockerCli(['push', image]);
  expect(pushed.code, pushed.stderr).toBe(0);
  expect(pushed.stdout).toMatch(new RegExp(`\\n[a-f0-9]{12}: Mounted from ${from}\\n`));
  expect(pushed.stdout).not.toContain(': Pushed');
  const requests = loggedRequests(registry.output().slice(logged));
  const uploads = `/v2/${repository}/blobs/uploads/`;
  // The registry answered the mount with 201; the one upload finished is the image config's.
  expect(requests.filter((r) => r.method === 'POST' && r.path === uploads && r.status === 201)).toHaveLength(1);
  expect(requests.filter((r) => r.method === 'PUT' && r.path.startsWith(uploads))).toHaveLength(1);
  expect((await d.dockerCli(['rmi', image])).code).toBe(0);
  const pulled = await d.dockerCli(['pull', image]);
  expect(pulled.code, pulled.stderr).toBe(0);
}

describe('docker push to berth-registry', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(() => registry?.stop());

  it('round-trips busybox with the same image ID and digest', () => roundTrip(registry, 'team/busybox'), 60_000);

  it('mounts layers from another repository of the registry, as dockerd does', () => mountsFrom(registry, 'team/busybox', 'other/busybox'), 60_000);

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

/**
 * A TCP proxy to the registry that cuts the first connection to carry more than `cutAfter` bytes
 * towards it (a layer's upload, midway); every other connection passes.
 */
async function startCuttingProxy(target: string, cutAfter: number): Promise<{ host: string; cuts(): number; close(): Promise<void> }> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server = createServer((downstream) => {
    const upstream = createConnection({ host: targetHost, port: Number(targetPort) });
    sockets.add(downstream).add(upstream);
    let passed = 0;
    downstream.on('data', (chunk: Buffer) => {
      passed += chunk.length;
      if (cuts === 0 && passed > cutAfter) {
        cuts++;
        downstream.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(downstream);
    downstream.on('end', () => upstream.end());
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
    for (const socket of [upstream, downstream]) socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    cuts: () => cuts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('docker push whose layer upload is cut midway', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(() => registry?.stop());

  it('tries the layer again after counting 5 seconds down, as dockerd does, and the registry holds every layer', async () => {
    const proxy = await startCuttingProxy(registry.host, 256 * 1024);
    try {
      const image = `${proxy.host}/retry/busybox:v1`;
      expect((await d.dockerCli(['tag', 'busybox', image])).code).toBe(0);
      const pushed = await d.dockerCli(['push', image]);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(proxy.cuts()).toBe(1);
      expect(pushed.stdout).toMatch(/\n[a-f0-9]{12}: Retrying in 5 seconds\n/);
      expect(pushed.stdout).toMatch(/\n[a-f0-9]{12}: Retrying in 1 second\n/);
      expect(pushed.stdout).toMatch(/\n[a-f0-9]{12}: Pushed\n/);
      const digest = /v1: digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(pushed.stdout)?.[1];
      expect(digest, pushed.stdout).toBeDefined();
      // The registry checked each blob against its digest when the upload ended; the manifest names them all.
      const manifest = await fetch(`http://${registry.host}/v2/retry/busybox/manifests/${digest}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      expect(manifest.status).toBe(200);
      const { layers } = (await manifest.json()) as { layers: Array<{ digest: string; size: number }> };
      for (const layer of layers) {
        const blob = await fetch(`http://${registry.host}/v2/retry/busybox/blobs/${layer.digest}`, { method: 'HEAD' });
        expect(blob.status).toBe(200);
        expect(Number(blob.headers.get('content-length'))).toBe(layer.size);
      }
    } finally {
      await proxy.close();
    }
  }, 90_000);
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

  it('mounts layers from another repository of the registry', () => mountsFrom(registry, 'go/busybox', 'go/other'), 60_000);
});

describe('berth pull, push, login and logout', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: berth\n    path: ${await writeHtpasswd(work, 'carol', 'cli-secret')}\n`);
  }, 60_000);
  afterAll(() => registry?.stop());

  it('print what the docker CLI prints, sharing its credentials file', async () => {
    const image = `${registry.host}/cli/busybox:v1`;
    const login = await d.berth(['login', '-u', 'carol', '--password-stdin', registry.host], 'cli-secret\n');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe('Login Succeeded\n');
    // The docker CLI reads what berth stored.
    const config = JSON.parse(await readFile(join(d.env.DOCKER_CONFIG!, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config.auths[registry.host]!.auth, 'base64').toString()).toBe('carol:cli-secret');

    expect((await d.berth(['tag', 'busybox', image])).code).toBe(0);
    const pushed = await d.berth(['push', image]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(new RegExp(`^The push refers to repository \\[${registry.host}/cli/busybox\\]\\n[a-f0-9]{12}: Preparing\\n[a-f0-9]{12}: Pushed\\nv1: digest: sha256:[a-f0-9]{64} size: \\d+\\n$`));
    const dockerPush = await d.dockerCli(['push', image]);
    const berthPush = await d.berth(['push', image]);
    expect(berthPush.stdout).toBe(dockerPush.stdout);

    const pulls: string[] = [];
    for (const cli of [d.dockerCli, d.berth]) {
      expect((await d.dockerCli(['rmi', image])).code).toBe(0);
      const pulled = await cli(['pull', image]);
      expect(pulled.code, pulled.stderr).toBe(0);
      pulls.push(pulled.stdout);
    }
    expect(pulls[1]).toBe(pulls[0]);
    expect(pulls[1]).toContain(`Status: Downloaded newer image for ${image}\n${image}\n`);

    for (const cli of [d.berth, d.dockerCli]) {
      expect((await cli(['logout', registry.host])).stdout).toBe(`Removing login credentials for ${registry.host}\n`);
      expect((await d.berth(['login', '-u', 'carol', '--password-stdin', registry.host], 'cli-secret')).code).toBe(0);
    }
    expect((await d.berth(['logout', registry.host])).code).toBe(0);
    // As docker 28: the same line when there was nothing to remove.
    expect((await d.berth(['logout', registry.host])).stdout).toBe(`Removing login credentials for ${registry.host}\n`);
    const refused = await d.berth(['pull', image]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Error response from daemon: pull access denied for ${registry.host}/cli/busybox`);
  }, 60_000);
});
