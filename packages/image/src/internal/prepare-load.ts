import { InvalidArgumentError } from '@berth/api';
import type { ImageConfig } from '@berth/oci';
import { parseNormalizedNamed, sha256Digest, type NamedReference } from '@berth/reference';
import { MAX_JSON_BYTES, readArchiveManifest } from './archive-manifest.js';
import { parseImageConfig } from './image-config.js';
import { readStagedBytes, resolveStagedFile } from './staged-file.js';

/** An image from an unpacked archive whose config has been verified; its layers are checked on registration. */
export interface PreparedImage {
  id: string;
  configBytes: Buffer;
  config: ImageConfig;
  /** Absolute paths of the layer tars in staging, bottom first, paired with their names in the archive. */
  layers: Array<{ file: string; name: string }>;
  tags: NamedReference[];
}

function parseRepoTag(repoTag: string): NamedReference {
  let ref: NamedReference;
  try {
    ref = parseNormalizedNamed(repoTag);
  } catch (err) {
    throw new InvalidArgumentError(`invalid tag ${JSON.stringify(repoTag)}`, { cause: err });
  }
  if (ref.tag === undefined || ref.digest !== undefined) throw new InvalidArgumentError(`invalid tag ${JSON.stringify(repoTag)}`);
  return ref;
}

/** Reads and verifies everything an unpacked archive claims before anything is registered. */
export async function prepareLoad(stagingDir: string): Promise<PreparedImage[]> {
  const prepared: PreparedImage[] = [];
  for (const image of await readArchiveManifest(stagingDir)) {
    const bytes = await readStagedBytes(stagingDir, image.configPath, MAX_JSON_BYTES);
    const id = sha256Digest(bytes);
    if (image.configDigest !== undefined && image.configDigest !== id) {
      throw new InvalidArgumentError(`invalid image config ${image.configPath}: expected digest ${image.configDigest}, got ${id}`);
    }
    const config = parseImageConfig(bytes, image.configPath);
    const diffIds = config.rootfs.diff_ids;
    if (image.layerPaths.length !== diffIds.length) {
      throw new InvalidArgumentError(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${image.layerPaths.length}`);
    }
    const layers = [];
    for (const name of image.layerPaths) layers.push({ file: await resolveStagedFile(stagingDir, name), name });
    prepared.push({ id, configBytes: bytes, config, layers, tags: image.repoTags.map(parseRepoTag) });
  }
  return prepared;
}
