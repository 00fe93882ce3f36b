import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, pipeline, type Readable } from 'node:stream';
import { InvalidArgumentError, type ProgressMessage } from '@berth/api';
import { isUncompressedFile, type LayerStore, type PreparedLayer } from '@berth/layer';
import { shortId } from '@berth/reference';

const PROGRESS_STEP_BYTES = 1024 * 1024;

export interface RegisterLayersOptions {
  chain: string[];
  /** Told of each layer this call added, so a failed load can release them. */
  onRegistered: (chainId: string) => void;
  /** Told of each layer in turn: whether it was registered now, or the store had it. */
  onLayer?: (index: number, registered: boolean) => void;
}

/**
 * A layer to register, opened only when the store lacks it: a stream (`tarFile` is an uncompressed tar the store
 * may keep), or a layer extracted already (`ImageStore.prepareLayer`), which the store commits.
 */
export interface LayerSource {
  name: string;
  open(): Promise<{ stream: Readable; tarFile?: string } | { prepared: PreparedLayer }>;
}

/** A layer staged by `load`: linked when it is an uncompressed tar, read with "Loading layer" progress. */
export function stagedLayer(file: string, name: string, diffId: string, onProgress?: (message: ProgressMessage) => void): LayerSource {
  return {
    name,
    async open() {
      // An uncompressed staged layer is the kept tar already: the layer store links it instead of copying.
      const tarFile = (await isUncompressedFile(file)) ? file : undefined;
      const stream = await layerStream(file, shortId(diffId), onProgress);
      return tarFile === undefined ? { stream } : { stream, tarFile };
    },
  };
}

/** A read stream of a staged layer that reports "Loading layer" progress as Docker does. */
async function layerStream(file: string, id: string, onProgress?: (message: ProgressMessage) => void): Promise<Readable> {
  const source = createReadStream(file);
  if (onProgress === undefined) return source;
  const total = (await stat(file)).size;
  let current = 0;
  let reported = 0;
  onProgress({ status: 'Loading layer', id, progressDetail: { current: 0, total } });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      current += chunk.length;
      if (current - reported >= PROGRESS_STEP_BYTES || current === total) {
        reported = current;
        onProgress({ status: 'Loading layer', id, progressDetail: { current, total } });
      }
      callback(null, chunk);
    },
  });
  return pipeline(source, counter, () => undefined);
}

/**
 * Registers an image's layers bottom-up, skipping layers already present, and checks each against
 * the config's diff ID: the config is what the image ID vouches for, the tar is only a claim.
 */
export async function registerLayers(layers: LayerStore, diffIds: readonly string[], sources: readonly LayerSource[], options: RegisterLayersOptions): Promise<void> {
  for (const [index, source] of sources.entries()) {
    const chainId = options.chain[index]!;
    if (layers.get(chainId) !== undefined) {
      options.onLayer?.(index, false);
      continue;
    }
    const parent = index === 0 ? null : options.chain[index - 1]!;
    const opened = await source.open();
    if ('prepared' in opened && opened.prepared.diffId !== diffIds[index]) {
      await opened.prepared.discard();
      throw diffIdMismatch(index, source.name, diffIds[index]!, opened.prepared.diffId);
    }
    const info =
      'prepared' in opened
        ? await layers.commit(opened.prepared, parent)
        : await layers.register(opened.stream, parent, opened.tarFile === undefined ? {} : { tarFile: opened.tarFile });
    options.onRegistered(info.chainId);
    if (info.diffId !== diffIds[index]) throw diffIdMismatch(index, source.name, diffIds[index]!, info.diffId);
    options.onLayer?.(index, true);
  }
}

function diffIdMismatch(index: number, name: string, expected: string, got: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid diffID for layer ${index} (${name}): expected "${expected}", got "${got}"`);
}
