import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tar from 'tar-stream';
import { packTar, type TarEntry } from './docker-archive.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function readArchive(path: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  extract.end(await readFile(path));
  await done;
  return files;
}

/**
 * A docker-archive of `base` (a one-image `docker save` tar) plus one layer of `entries`, with the given
 * VOLUME paths in its config, as a Dockerfile's `COPY` + `VOLUME` would make.
 */
export async function imageWithVolumes(base: string, tag: string, volumes: string[], entries: TarEntry[]): Promise<Buffer> {
  const files = await readArchive(base);
  const [manifest] = JSON.parse(files.get('manifest.json')!.toString()) as { Config: string; Layers: string[] }[];
  const baseConfig = JSON.parse(files.get(manifest!.Config)!.toString()) as {
    config?: Record<string, unknown>;
    rootfs: { type: string; diff_ids: string[] };
  };
  const layer = await packTar(entries);
  const config = Buffer.from(
    JSON.stringify({
      ...baseConfig,
      config: { ...baseConfig.config, Volumes: Object.fromEntries(volumes.map((v) => [v, {}])) },
      rootfs: { type: 'layers', diff_ids: [...baseConfig.rootfs.diff_ids, `sha256:${sha256(layer)}`] },
    }),
  );
  const configName = `${sha256(config)}.json`;
  const layerName = `${sha256(layer)}/layer.tar`;
  return packTar([
    { name: configName, body: config },
    ...manifest!.Layers.map((name) => ({ name, body: files.get(name)! })),
    { name: layerName, body: layer },
    { name: 'manifest.json', body: JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: [...manifest!.Layers, layerName] }]) },
  ]);
}
