import { readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, useTestDaemon } from './harness.js';
import { pushBusybox, pushBusyboxWithRandomLayer, startRegistry, writeHtpasswd, type TestRegistry } from './registry-harness.js';

const d = useTestDaemon({ busybox: false });

interface Progress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

describe('docker pull from berth-registry', () => {
  let registry: TestRegistry;
  let digest: string;
  let image: string;

  beforeAll(async () => {
    registry = await startRegistry();
    digest = await pushBusybox(registry, 'library/busybox', 'latest');
    image = `${registry.host}/library/busybox`;
  }, 60_000);
  afterAll(() => registry?.stop());

  it('pulls a tag with Docker progress, records its RepoDigest, and runs it', async () => {
    const pulled = await d.dockerCli(['pull', `${image}:latest`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const lines = pulled.stdout.trim().split('\n');
    expect(lines[0]).toBe('latest: Pulling from library/busybox');
    expect(lines).toContain(`Digest: ${digest}`);
    expect(lines).toContain(`Status: Downloaded newer image for ${image}:latest`);
    expect(lines.at(-1)).toBe(`${image}:latest`);
    expect(lines.filter((line) => line.endsWith(': Pull complete'))).toHaveLength(1);
    const inspected = await d.docker.getImage(`${image}:latest`).inspect();
    expect(inspected.RepoDigests).toEqual([`${image}@${digest}`]);
    const ran = await d.dockerCli(['run', '--rm', `${image}:latest`, 'echo', 'pulled']);
    expect(ran.stdout).toBe('pulled\n');
  });

  it('says the image is up to date the second time, and pulls by digest', async () => {
    const again = await d.dockerCli(['pull', `${image}:latest`]);
    expect(again.stdout).toContain(`Status: Image is up to date for ${image}:latest`);
    expect(again.stdout).not.toContain('Already exists');
    const byDigest = await d.dockerCli(['pull', `${image}@${digest}`]);
    expect(byDigest.code, byDigest.stderr).toBe(0);
    expect(byDigest.stdout.split('\n')[0]).toBe(`${image}@${digest}: Pulling from library/busybox`);
  });

  it('pulls a single-platform image for another --platform all the same, warning as moby does', async () => {
    const pulled = await d.dockerCli(['pull', '--platform', 'linux/arm64', `${image}:latest`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Image is up to date for ${image}:latest\nWARNING: image with reference ${image} was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64\n`);
  });

  it('streams per-layer progress to dockerode', async () => {
    await d.docker.getImage(`${image}:latest`).remove();
    await d.docker.getImage(`${image}@${digest}`).remove().catch(() => undefined);
    const stream = await d.docker.pull(`${image}:latest`);
    const events = await new Promise<Progress[]>((resolve, reject) => d.docker.modem.followProgress(stream, (err: Error | null, output: Progress[]) => (err ? reject(err) : resolve(output))));
    const layer = events.find((event) => event.status === 'Pulling fs layer')?.id;
    expect(layer).toMatch(/^[a-f0-9]{12}$/);
    const statuses = events.filter((event) => event.id === layer).map((event) => event.status);
    for (const status of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) expect(statuses).toContain(status);
    const downloading = events.find((event) => event.id === layer && event.status === 'Downloading');
    expect(downloading?.progressDetail?.total).toBeGreaterThan(0);
  });

  it('answers a missing tag with Docker message and exit 1, and an invalid reference with a 400', async () => {
    const missing = await d.dockerCli(['pull', `${image}:nope`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Error response from daemon: manifest for ${image}:nope not found: manifest unknown`);
    const invalid = await apiPost(d.socket, '/images/create?fromImage=busybox%2FUPPER&tag=latest');
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toEqual({ message: expect.stringContaining('must be lowercase') });
  });
});

describe('docker pull --all-tags', () => {
  let registry: TestRegistry;
  let digest: string;

  beforeAll(async () => {
    registry = await startRegistry();
    digest = await pushBusybox(registry, 'multi/busybox', 'a');
    await pushBusybox(registry, 'multi/busybox', 'b');
  }, 60_000);
  afterAll(() => registry?.stop());

  it('pulls every tag, with one Status line for the repository at the end, as dockerd prints it', async () => {
    const repository = `${registry.host}/multi/busybox`;
    for (const listed of await d.docker.listImages()) await d.docker.getImage(listed.Id).remove({ force: true });
    const pulled = await d.dockerCli(['pull', '--all-tags', repository]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const lines = pulled.stdout.trim().split('\n');
    const layer = lines[1]!.slice(0, 12);
    expect(lines).toEqual([
      'a: Pulling from multi/busybox',
      `${layer}: Pulling fs layer`,
      `${layer}: Verifying Checksum`,
      `${layer}: Download complete`,
      `${layer}: Pull complete`,
      `Digest: ${digest}`,
      'b: Pulling from multi/busybox',
      `Digest: ${digest}`,
      `Status: Downloaded newer image for ${repository}`,
      repository,
    ]);
    const again = await d.dockerCli(['pull', '--all-tags', repository]);
    expect(again.stdout).toContain(`Digest: ${digest}\nStatus: Image is up to date for ${repository}\n${repository}\n`);
    expect((await d.docker.getImage(`${repository}:b`).inspect()).RepoTags).toEqual([`${repository}:a`, `${repository}:b`]);
  });
});

describe('two concurrent pulls of the same image', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushBusybox(registry, 'shared/busybox', 'latest');
  }, 60_000);
  afterAll(() => registry?.stop());

  it('download each layer once (the registry logs one GET of it)', async () => {
    const image = `${registry.host}/shared/busybox:latest`;
    // The layer must be new to the daemon: earlier tests pulled the same one.
    for (const listed of await d.docker.listImages()) await d.docker.getImage(listed.Id).remove({ force: true });
    const manifest = (await (await fetch(`http://${registry.host}/v2/shared/busybox/manifests/latest`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json()) as { layers: { digest: string }[] };
    const results = await Promise.all([d.dockerCli(['pull', image]), d.dockerCli(['pull', image])]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const layerPath = `/v2/shared/busybox/blobs/${manifest.layers[0]!.digest}`;
    const gets = registry
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { method?: string; path?: string })
      .filter((line) => line.method === 'GET' && line.path === layerPath);
    expect(gets).toHaveLength(1);
  });
});

describe('docker pull through berth-registry as a pull-through cache', () => {
  let upstream: TestRegistry;
  let cache: TestRegistry;

  beforeAll(async () => {
    upstream = await startRegistry();
    await pushBusybox(upstream, 'library/busybox', 'cached');
    cache = await startRegistry(() => `proxy:\n  remoteurl: http://${upstream.host}\n`);
  }, 60_000);
  afterAll(async () => {
    await cache?.stop();
    await upstream?.stop();
  });

  it('serves berthd the upstream image, also once upstream is gone', async () => {
    const image = `${cache.host}/library/busybox:cached`;
    // Every layer must come through the cache: earlier tests pulled the same one.
    for (const listed of await d.docker.listImages()) await d.docker.getImage(listed.Id).remove({ force: true });
    const pulled = await d.dockerCli(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await d.dockerCli(['run', '--rm', image, 'echo', 'through the cache'])).stdout).toBe('through the cache\n');
    await upstream.stop();
    for (const listed of await d.docker.listImages()) await d.docker.getImage(listed.Id).remove({ force: true });
    const offline = await d.dockerCli(['pull', image]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain(`Status: Downloaded newer image for ${image}`);
  });
});

describe('docker pull of a layer whose bytes do not match its digest', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushBusybox(registry, 'forged/busybox', 'latest');
  }, 60_000);
  afterAll(() => registry?.stop());

  it('fails clearly, registers no layer and no image, and the daemon keeps serving', async () => {
    for (const listed of await d.docker.listImages()) await d.docker.getImage(listed.Id).remove({ force: true });
    const blobs = join(registry.dataRoot, 'docker/registry/v2/blobs/sha256');
    // The layer is the largest blob; its bytes are replaced by others of the same length.
    const sizes = await run('sh', ['-c', `find ${blobs} -name data -printf '%s %p\n' | sort -n | tail -1`]);
    const [size, path] = sizes.stdout.trim().split(' ');
    await writeFile(path!, Buffer.alloc(Number(size), 7));
    const pulled = await d.dockerCli(['pull', `${registry.host}/forged/busybox:latest`]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toContain('filesystem layer verification failed for digest');
    expect(await d.docker.listImages()).toEqual([]);
    const df = await d.docker.df();
    expect(df.LayersSize).toBe(0);
    expect((await d.dockerCli(['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
  });
});

describe('a pull whose client goes away', () => {
  let registry: TestRegistry;
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry();
    ref = await pushBusyboxWithRandomLayer(registry, 'left/random:latest', 96 * 1024 * 1024);
  }, 120_000);
  afterAll(() => registry?.stop());

  it('registers nothing, leaves no extraction behind, and the next pull completes', async () => {
    const layersBefore = await readdir(join(d.dataRoot, 'layers'));
    // The request goes away once the big layer is downloading, and so extracting (each layer follows its download).
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: `/v1.47/images/create?fromImage=${encodeURIComponent(ref)}` }, (res) => {
        let partial = '';
        res.on('data', (chunk: Buffer) => {
          // Whole lines only: a chunk may end inside one.
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop()!;
          const progress = lines.filter(Boolean).map((line) => JSON.parse(line) as Progress);
          if (progress.some((line) => line.status === 'Downloading' && (line.progressDetail?.current ?? 0) >= 8 * 1024 * 1024)) {
            req.destroy();
            resolve();
          }
        });
        res.on('end', () => reject(new Error('the pull ended before the client went away')));
      });
      req.on('error', () => undefined);
      req.end();
    });
    const staging = join(d.dataRoot, 'layers/tmp');
    for (let waited = 0; (await readdir(staging)).length > 0 && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readdir(staging)).toEqual([]);
    expect((await d.docker.listImages()).flatMap((image) => image.RepoTags ?? [])).not.toContain(ref);
    expect((await readdir(join(d.dataRoot, 'layers'))).sort()).toEqual(layersBefore.sort());

    const pulled = await d.dockerCli(['pull', '-q', ref]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const ran = await d.dockerCli(['run', '--rm', ref, 'sh', '-c', 'test -s /big/random.bin && echo whole']);
    expect(ran.stdout).toBe('whole\n');
  });
});

describe('docker pull from a registry with htpasswd auth', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(async (_host, work) => `auth:\n  htpasswd:\n    realm: berth\n    path: ${await writeHtpasswd(work, 'alice', 'secret')}\n`);
    await pushBusybox(registry, 'private/busybox', 'latest', 'alice:secret');
  }, 60_000);
  afterAll(() => registry?.stop());

  it('fails without login, refuses a wrong password, and works after docker login', async () => {
    const image = `${registry.host}/private/busybox:latest`;
    const anonymous = await d.dockerCli(['pull', image]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain(`pull access denied for ${registry.host}/private/busybox, repository does not exist or may require 'docker login'`);
    const wrong = await d.dockerCli(['login', '-u', 'alice', '--password-stdin', registry.host], 'wrong');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401');
    const login = await d.dockerCli(['login', '-u', 'alice', '--password-stdin', registry.host], 'secret');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Login Succeeded');
    const pulled = await d.dockerCli(['pull', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`Status: Downloaded newer image for ${image}`);
  });
});

/** A POST to the daemon's API; its status and body. */
function apiPost(socket: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
