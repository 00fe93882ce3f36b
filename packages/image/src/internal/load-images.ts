import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';
import { extractTar } from '@berth/layer';
import { familiarString } from '@berth/reference';
import { chainIds } from './image-config.js';
import { releaseUnusedLayers } from './layer-release.js';
import { prepareLoad, type PreparedImage } from './prepare-load.js';
import { registerLayers, stagedLayer } from './register-layers.js';
import { reportEvent, type StoreContext } from './store-context.js';
import { markTagged } from './tag-image.js';

export interface LoadOptions {
  onProgress?: (message: ProgressMessage) => void;
}

/**
 * Loads a `docker save` archive (or an OCI image layout). The archive is unpacked into staging with
 * the layer store's safe extractor and every claim in it is verified before anything is registered.
 */
export async function loadImages(context: StoreContext, archive: Readable, options: LoadOptions): Promise<string[]> {
  const staging = join(context.tmpDir, randomBytes(16).toString('hex'));
  await mkdir(staging, { mode: 0o700 });
  try {
    await extractTar(archive, staging, { whiteouts: false, maxBytes: context.options.maxArchiveBytes });
    const prepared = await prepareLoad(staging);
    return await context.queue.run(async () => {
      const lines: string[] = [];
      for (const image of prepared) lines.push(...(await commitLoadedImage(context, image, options.onProgress)));
      return lines;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function commitLoadedImage(
  context: StoreContext,
  image: PreparedImage,
  onProgress?: (message: ProgressMessage) => void,
): Promise<string[]> {
  const chain = chainIds(image.config.rootfs.diff_ids);
  const added: string[] = [];
  try {
    const diffIds = image.config.rootfs.diff_ids;
    const sources = image.layers.map((layer, index) => stagedLayer(layer.file, layer.name, diffIds[index]!, onProgress));
    await registerLayers(context.layers, diffIds, sources, { chain, onRegistered: (chainId) => added.push(chainId) });
  } catch (err) {
    await releaseUnusedLayers(context, added.reverse());
    throw err;
  }
  await context.content.put(image.configBytes, image.id);
  const record = context.catalog.index(image.id, image.config, chain);
  if (image.tags.length === 0) {
    reportEvent(context, 'load', image.id);
    return [`Loaded image ID: ${image.id}`];
  }

  for (const tag of image.tags) {
    const previous = context.refs.get(tag);
    if (previous !== undefined && previous !== image.id) {
      onProgress?.({
        stream: `The image ${familiarString(tag)} already exists, renaming the old one with ID ${previous} to empty string\n`,
      });
    }
  }
  await context.refs.update((draft) => image.tags.forEach((tag) => draft.set(tag, image.id)));
  await markTagged(context, record);
  // A load sets its tags without tag events, as moby's does.
  reportEvent(context, 'load', image.id);
  return image.tags.map((tag) => `Loaded image: ${familiarString(tag)}`);
}
