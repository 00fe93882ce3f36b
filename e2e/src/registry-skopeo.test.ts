import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run } from './harness.js';
import { startRegistry, type TestRegistry } from './registry-harness.js';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}
interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

let registry: TestRegistry;
let work: string;
let host: string;

async function skopeo(args: string[]): Promise<string> {
  const result = await run('skopeo', args);
  expect(result.stderr, `skopeo ${args.join(' ')}`).not.toMatch(/level=(error|fatal)/);
  expect(result.code, `skopeo ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function layoutBlob(layout: string, digest: string): Promise<Buffer> {
  return readFile(join(layout, 'blobs', ...digest.split(':')));
}

beforeAll(async () => {
  registry = await startRegistry();
  ({ work, host } = registry);
});

afterAll(() => registry?.stop());

describe('berth-registry with skopeo', () => {
  it('answers /v2/ with the registry API version header', async () => {
    const res = await fetch(`http://${host}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await res.json()).toEqual({});
  });

  it('takes busybox from a docker archive, then inspects, lists and pulls it back with every digest preserved', async () => {
    const image = `docker://${host}/library/busybox:latest`;
    const digestFile = join(work, 'pushed.digest');
    await skopeo(['copy', '--dest-tls-verify=false', '--digestfile', digestFile, `docker-archive:${await busyboxArchive()}`, image]);
    const pushed = (await readFile(digestFile, 'utf8')).trim();
    expect(pushed).toMatch(/^sha256:[a-f0-9]{64}$/);

    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', image])) as { Digest: string; Layers: string[] };
    expect(inspected.Digest).toBe(pushed);
    const raw = Buffer.from(await skopeo(['inspect', '--raw', '--tls-verify=false', image]));
    expect(sha256(raw)).toBe(pushed);
    const manifest = JSON.parse(raw.toString('utf8')) as ImageManifest;
    expect(inspected.Layers).toEqual(manifest.layers.map((layer) => layer.digest));

    const tags = JSON.parse(await skopeo(['list-tags', '--tls-verify=false', `docker://${host}/library/busybox`])) as { Tags: string[] };
    expect(tags.Tags).toEqual(['latest']);

    const layout = join(work, 'layout');
    await skopeo(['copy', '--src-tls-verify=false', image, `oci:${layout}:latest`]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    expect(index.manifests).toHaveLength(1);
    const pulled = JSON.parse((await layoutBlob(layout, index.manifests[0]!.digest)).toString('utf8')) as ImageManifest;
    // skopeo converts to an OCI manifest and re-serializes the config for the layout, so those digests
    // differ from the pushed ones; the layers are the registry's bytes, and the config names the same ones.
    expect(pulled.layers.map((layer) => layer.digest)).toEqual(manifest.layers.map((layer) => layer.digest));
    const servedConfig = await fetch(`http://${host}/v2/library/busybox/blobs/${manifest.config.digest}`);
    expect(servedConfig.headers.get('docker-content-digest')).toBe(manifest.config.digest);
    const pushedConfig = JSON.parse(await servedConfig.text()) as { rootfs: { diff_ids: string[] } };
    const pulledConfig = JSON.parse((await layoutBlob(layout, pulled.config.digest)).toString('utf8')) as { rootfs: { diff_ids: string[] } };
    expect(pulledConfig.rootfs.diff_ids).toEqual(pushedConfig.rootfs.diff_ids);
    for (const blob of [pulled.config, ...pulled.layers]) expect(sha256(await layoutBlob(layout, blob.digest))).toBe(blob.digest);
  });

  it('takes an OCI layout and serves its manifest under the same digest', async () => {
    const layout = join(work, 'oci-source');
    await skopeo(['copy', `docker-archive:${await busyboxArchive()}`, `oci:${layout}:latest`]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const image = `docker://${host}/mirror/busybox:oci`;
    await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, image]);
    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', image])) as { Digest: string };
    expect(inspected.Digest).toBe(index.manifests[0]!.digest);
    const catalog = (await (await fetch(`http://${host}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories).toContain('mirror/busybox');
  });
});
