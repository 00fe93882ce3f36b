import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import tar from 'tar-stream';
import { busyboxArchive } from './harness.js';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** Packs entries into a tar in memory, exactly as given (hostile names included). */
export async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644) }, e.body ?? '');
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A one-image docker-archive (`docker save` format) around the given layer tars. */
export async function dockerArchive(tag: string, layers: Buffer[]): Promise<Buffer> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
    }),
  );
  const configName = `${sha256(config)}.json`;
  const layerNames = layers.map((l) => `${sha256(l)}/layer.tar`);
  return packTar([
    { name: configName, body: config },
    ...layers.map((l, i) => ({ name: layerNames[i]!, body: l })),
    { name: 'manifest.json', body: JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerNames }]) },
  ]);
}

export interface ReadTarEntry {
  name: string;
  type: string;
  /** The size the entry's header announces. */
  size: number;
  body: Buffer;
  /** A symlink's or hardlink's target. */
  linkname?: string;
  uid: number;
  gid: number;
}

/**
 * Reads a tar response (export, GET archive) to its end. A response cut short (the engine failed
 * mid-stream) rejects instead of leaving the reader waiting.
 */
export function readTarEntries(stream: NodeJS.ReadableStream): Promise<ReadTarEntry[]> {
  const entries: ReadTarEntry[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      entries.push({
        name: header.name,
        type: header.type ?? 'file',
        size: header.size ?? 0,
        body: Buffer.concat(chunks),
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
        ...(header.linkname ? { linkname: header.linkname } : {}),
      });
      next();
    });
  });
  const done = new Promise<ReadTarEntry[]>((resolve, reject) => {
    extract.on('finish', () => resolve(entries));
    extract.on('error', reject);
    let ended = false;
    stream.on('end', () => (ended = true));
    stream.on('error', reject);
    stream.on('close', () => {
      if (!ended) reject(new Error('the archive was cut short'));
    });
  });
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  return done;
}

/** A docker-archive of busybox plus one layer holding `/big/random.bin`: `bytes` random bytes, which no compression shrinks. */
export async function busyboxWithRandomLayer(tag: string, bytes: number): Promise<Buffer> {
  const busybox = await readTarEntries(createReadStream(await busyboxArchive()));
  const layers = busybox.filter((entry) => entry.name.endsWith('/layer.tar')).map((entry) => entry.body);
  layers.push(await packTar([{ name: 'big/', type: 'directory' }, { name: 'big/random.bin', body: randomBytes(bytes) }]));
  return dockerArchive(tag, layers);
}

/** The first image of a `docker save` archive: its config's diffIDs, and its layer tars as the archive holds them. */
export async function savedLayers(archive: string): Promise<{ diffIds: string[]; layers: Buffer[] }> {
  const entries = new Map((await readTarEntries(createReadStream(archive))).map((entry) => [entry.name, entry.body]));
  const body = (name: string): Buffer => {
    const found = entries.get(name);
    if (found === undefined) throw new Error(`the archive has no ${name}`);
    return found;
  };
  const [image] = JSON.parse(body('manifest.json').toString()) as Array<{ Config: string; Layers: string[] }>;
  const config = JSON.parse(body(image!.Config).toString()) as { rootfs: { diff_ids: string[] } };
  return { diffIds: config.rootfs.diff_ids, layers: image!.Layers.map(body) };
}
