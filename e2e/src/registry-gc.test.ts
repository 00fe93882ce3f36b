import { readdir, readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run } from './harness.js';
import { BERTH_REGISTRY, startRegistry, type TestRegistry } from './registry-harness.js';

interface Manifest {
  config: { digest: string };
  layers: Array<{ digest: string }>;
}

let registry: TestRegistry;
let work: string;
let data: string;
let config: string;
let host: string;

async function skopeo(args: string[]): Promise<void> {
  const result = await run('skopeo', args);
  expect(result.code, `skopeo ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

/** Pushes busybox from the archive to `repository:tag` and returns the digests of its manifest, config and layers. */
async function push(repository: string, tag: string, flags: string[]): Promise<string[]> {
  await skopeo(['copy', '--dest-tls-verify=false', ...flags, `docker-archive:${await busyboxArchive()}`, `docker://${host}/${repository}:${tag}`]);
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as Manifest;
  return [res.headers.get('docker-content-digest')!, manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)];
}

function blobStored(digest: string): Promise<boolean> {
  const hex = digest.slice('sha256:'.length);
  return stat(join(data, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')).then(() => true, () => false);
}

/** Makes everything stored so far look two hours old: pushed before the collector's default 1h grace period. */
async function age(dir: string): Promise<void> {
  const then = new Date(Date.now() - 2 * 3_600_000);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await age(join(dir, entry.name));
    await utimes(join(dir, entry.name), then, then);
  }
}

beforeAll(async () => {
  registry = await startRegistry();
  ({ work, host, config, dataRoot: data } = registry);
});

afterAll(() => registry?.stop());

describe('berth-registry garbage-collect', () => {
  it('frees exactly the blobs of a deleted image while another push completes and stays pullable', async () => {
    const kept = await push('keep/busybox', 'v1', []);
    // zstd layers in an OCI manifest: blobs this image alone has, beside the config it shares.
    const doomed = await push('gone/busybox', 'v1', ['--format', 'oci', '--dest-compress-format', 'zstd']);
    const onlyDoomed = doomed.filter((digest) => !kept.includes(digest));
    expect(onlyDoomed.length).toBeGreaterThanOrEqual(2);
    // Deleting the tag leaves the manifest untagged, for --delete-untagged to collect.
    const deleted = await fetch(`http://${host}/v2/gone/busybox/manifests/v1`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    await age(data);

    const dry = await run(process.execPath, [BERTH_REGISTRY, 'garbage-collect', '--dry-run', '--delete-untagged', config]);
    expect(dry.code, dry.stderr).toBe(0);
    for (const digest of onlyDoomed) expect(dry.stdout).toContain(`blob eligible for deletion: ${digest}`);
    for (const digest of onlyDoomed) expect(await blobStored(digest)).toBe(true);

    // A second image (gzip at another level: new layer digests) pushed while the collector runs, again and again until the push is done.
    let pushed = false;
    const pushing = push('next/busybox', 'v1', ['--dest-compress-level', '1']).finally(() => (pushed = true));
    const runs = [];
    do runs.push(await run(process.execPath, [BERTH_REGISTRY, 'garbage-collect', '--delete-untagged', config]));
    while (!pushed);
    const next = await pushing;
    for (const { code, stderr } of runs) expect(code, stderr).toBe(0);
    const collected = runs[0]!;
    expect(collected.stdout).toContain(`gone/busybox: manifest eligible for deletion: ${doomed[0]}`);
    expect(collected.stdout).toMatch(new RegExp(`\\n\\d+ blobs marked, ${onlyDoomed.length} blobs and 1 manifests deleted, \\d+ bytes freed\\n$`));

    for (const digest of onlyDoomed) expect(await blobStored(digest)).toBe(false);
    for (const digest of [...kept, ...next]) expect(await blobStored(digest)).toBe(true);
    for (const repository of ['keep/busybox', 'next/busybox']) {
      const layout = join(work, repository.replace('/', '-'));
      await skopeo(['copy', '--src-tls-verify=false', `docker://${host}/${repository}:v1`, `oci:${layout}:v1`]);
      const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: unknown[] };
      expect(index.manifests).toHaveLength(1);
    }
    const gone = await fetch(`http://${host}/v2/gone/busybox/blobs/${onlyDoomed.find((digest) => digest !== doomed[0])}`, { method: 'HEAD' });
    expect(gone.status).toBe(404);
  });
});
