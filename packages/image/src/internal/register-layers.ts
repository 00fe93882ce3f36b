import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, pipeline, type Readable } from 'node:stream';
import { InvalidArgumentError, type ProgressMessage } from '@berth/api';
import { isUncompressedFile, type LayerStore } from '@berth/layer';
import { shortId } from '@berth/reference';
import type { PreparedImage } from './prepare-load.js';

const PROGRESS_STEP_BYTES = 1024 * 1024;

export interface RegisterLayersOptions {
  chain: string[];
  /** Told of each layer this call added, so a failed load can release them. */
  onRegistered: (chainId: string) => void;
  onProgress?: (message: ProgressMessage) => void;
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
export async function registerLayers(layers: LayerStore, image: PreparedImage, options: RegisterLayersOptions): Promise<void> {
  const diffIds = image.config.rootfs.diff_ids;
  for (const [index, layer] of image.layers.entries()) {
    const chainId = options.chain[index];
    if (layers.get(chainId) !== undefined) continue;
    const parent = index === 0 ? null : options.chain[index - 1];
    // An uncompressed staged layer is the kept tar already: the layer store links it instead of copying.
    const tarFile = (await isUncompressedFile(layer.file)) ? layer.file : undefined;
    const stream = await layerStream(layer.file, shortId(diffIds[index]), options.onProgress);
    const info = await layers.register(stream, parent, tarFile === undefined ? {} : { tarFile });
    options.onRegistered(info.chainId);
    if (info.diffId !== diffIds[index]) {
      throw new InvalidArgumentError(`invalid diffID for layer ${index} (${layer.name}): expected "${diffIds[index]}", got "${info.diffId}"`);
    }
  }
}
