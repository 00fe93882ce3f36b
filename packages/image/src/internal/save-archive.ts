import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import { packFile } from '@berth/layer';
import { MediaTypes, type Descriptor } from '@berth/oci';
import { familiarString, parseDigest, referenceString, sha256Digest, type NamedReference } from '@berth/reference';

/** One image to save: its config bytes, its layers' kept tars bottom first, and the tags to record. */
export interface SavedImage {
  id: string;
  configBytes: Buffer;
  layers: Array<{ diffId: string; tarPath: string }>;
  tags: NamedReference[];
}

/** Fixed header times keep an archive of the same images byte-identical. */
const EPOCH = new Date(0);

function blobName(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

function addBuffer(pack: Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    // A pack torn down by its reader leaving never calls a new entry back.
    if (pack.destroyed) {
      reject(new Error('tar entry destroyed'));
      return;
    }
    pack.entry({ name, size: data.length, mode: 0o644, mtime: EPOCH }, data, (err) => (err ? reject(err) : resolve()));
  });
}

async function addFile(pack: Pack, name: string, path: string, size: number): Promise<void> {
  const file = await open(path);
  try {
    await packFile(pack, { name, size, mode: 0o644, mtime: EPOCH }, file);
  } finally {
    await file.close();
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A layer's kept tar as a blob of the saved image: its digest is the diffID. */
export async function layerDescriptor(layer: { diffId: string; tarPath: string }): Promise<Descriptor> {
  const { size } = await stat(layer.tarPath);
  return { mediaType: MediaTypes.OciLayer, digest: layer.diffId, size };
}

/** The OCI manifest `docker save` writes for an image. */
export function imageManifest(id: string, configBytes: Buffer, layers: Descriptor[]): Buffer {
  return json({
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciConfig, digest: id, size: configBytes.length },
    layers,
  });
}

/**
 * Writes what `docker save` writes since Docker 25: a docker-archive (`manifest.json`) that is also
 * an OCI image layout (`oci-layout`, `index.json`, `blobs/`). Layers are the uncompressed tars kept by
 * the layer store, named by their diffID, so a blob shared by several images appears once.
 */
export async function writeSaveArchive(images: SavedImage[], pack: Pack): Promise<void> {
  const written = new Set<string>();
  const manifestJson: unknown[] = [];
  const index: Descriptor[] = [];
  await addBuffer(pack, 'oci-layout', json({ imageLayoutVersion: '1.0.0' }));
  for (const image of images) {
    const layerDescriptors: Descriptor[] = [];
    for (const layer of image.layers) {
      const descriptor = await layerDescriptor(layer);
      layerDescriptors.push(descriptor);
      if (written.has(layer.diffId)) continue;
      await addFile(pack, blobName(layer.diffId), layer.tarPath, descriptor.size);
      written.add(layer.diffId);
    }
    if (!written.has(image.id)) {
      await addBuffer(pack, blobName(image.id), image.configBytes);
      written.add(image.id);
    }
    const manifest = imageManifest(image.id, image.configBytes, layerDescriptors);
    const manifestDigest = sha256Digest(manifest);
    if (!written.has(manifestDigest)) {
      await addBuffer(pack, blobName(manifestDigest), manifest);
      written.add(manifestDigest);
    }
    const descriptor: Descriptor = { mediaType: MediaTypes.OciManifest, digest: manifestDigest, size: manifest.length };
    if (image.tags.length === 0) index.push(descriptor);
    for (const tag of image.tags) {
      index.push({
        ...descriptor,
        annotations: { 'io.containerd.image.name': referenceString(tag), 'org.opencontainers.image.ref.name': tag.tag ?? 'latest' },
      });
    }
    manifestJson.push({
      Config: blobName(image.id),
      RepoTags: image.tags.map(familiarString),
      Layers: image.layers.map((layer) => blobName(layer.diffId)),
    });
  }
  await addBuffer(pack, 'index.json', json({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: index }));
  await addBuffer(pack, 'manifest.json', json(manifestJson));
}

/** The archive as a stream; an error while writing destroys the stream with it. */
export function saveArchiveStream(images: SavedImage[]): Readable {
  const pack = tarPack();
  writeSaveArchive(images, pack).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  // A node stream: HTTP replies pipe it with node's stream machinery, which misreads streamx.
  return Readable.from(pack as AsyncIterable<Buffer>);
}
