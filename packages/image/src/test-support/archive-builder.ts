import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ImageConfig } from '@berth/oci';
import { sha256Digest } from '@berth/reference';

/** One tar entry; content makes a regular file, `type` others. */
export interface TarEntry {
  name: string;
  content?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  mode?: number;
}

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  packer.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    packer.on('end', resolve);
    packer.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? (entry.content === undefined ? 'directory' : 'file');
    const mode = entry.mode ?? (type === 'directory' ? 0o755 : 0o644);
    const header = { name: entry.name, type, mode, linkname: entry.linkname, mtime: new Date(0), uid: 0, gid: 0 };
    const body = type === 'file' ? Buffer.from(entry.content ?? '') : '';
    await new Promise<void>((resolve, reject) => packer.entry(header, body, (err) => (err ? reject(err) : resolve())));
  }
  packer.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function imageConfig(diffIds: string[], overrides: Partial<ImageConfig> = {}): ImageConfig {
  return {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-05-01T12:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2024-05-01T12:00:00Z', created_by: 'test' })),
    ...overrides,
  };
}

export interface ArchivedImageSpec {
  layers: Buffer[];
  repoTags?: string[];
  /** Defaults to a config whose diff IDs match the layers. */
  config?: Buffer;
}

/** A `docker save` archive in the layout Docker 25+ writes: blobs/sha256/<hex> plus manifest.json. */
export async function dockerArchive(images: ArchivedImageSpec[], extra: TarEntry[] = []): Promise<Buffer> {
  const blobs = new Map<string, Buffer>();
  const manifest = images.map((image) => {
    const config = image.config ?? Buffer.from(JSON.stringify(imageConfig(image.layers.map((l) => sha256Digest(l)))));
    const configHex = sha256Digest(config).slice('sha256:'.length);
    blobs.set(configHex, config);
    const layers = image.layers.map((layer) => {
      const hex = sha256Digest(layer).slice('sha256:'.length);
      blobs.set(hex, layer);
      return `blobs/sha256/${hex}`;
    });
    return { Config: `blobs/sha256/${configHex}`, RepoTags: image.repoTags ?? null, Layers: layers };
  });
  return tarOf([
    { name: 'blobs' },
    { name: 'blobs/sha256' },
    ...[...blobs].map(([hex, content]) => ({ name: `blobs/sha256/${hex}`, content })),
    { name: 'manifest.json', content: JSON.stringify(manifest) },
    ...extra,
  ]);
}

/** An OCI image layout archive (as skopeo or buildx write it) with gzip-compressed layers. */
export async function ociArchive(layers: Buffer[], name: string): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify(imageConfig(layers.map((l) => sha256Digest(l)))));
  const compressed = layers.map((layer) => gzipSync(layer));
  const descriptor = (mediaType: string, blob: Buffer) => ({ mediaType, digest: sha256Digest(blob), size: blob.length });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: compressed.map((blob) => descriptor('application/vnd.oci.image.layer.v1.tar+gzip', blob)),
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [{ ...descriptor('application/vnd.oci.image.manifest.v1+json', manifest), annotations: { 'io.containerd.image.name': name } }],
  };
  const blobEntry = (blob: Buffer): TarEntry => ({ name: `blobs/sha256/${sha256Digest(blob).slice('sha256:'.length)}`, content: blob });
  return tarOf([
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', content: JSON.stringify(index) },
    { name: 'blobs' },
    { name: 'blobs/sha256' },
    ...[config, manifest, ...compressed].map(blobEntry),
  ]);
}
