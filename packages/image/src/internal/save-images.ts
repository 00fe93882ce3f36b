import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import { MediaTypes, type Descriptor } from '@berth/oci';
import { familiarName, familiarString, isDigest, isImageIdPrefix, parseNormalizedNamed, referenceString, sha256Digest, withDefaultTag, type NamedReference } from '@berth/reference';
import { isIdPrefix } from './delete-rules.js';
import type { ImageRecord } from './image-views.js';
import { imageManifest, layerDescriptor, saveArchiveStream, type SavedImage } from './save-archive.js';
import { reportEvent, type StoreContext } from './store-context.js';

/**
 * `docker save`: the images named, as one archive. A repository name without a tag saves every
 * tagged image of that repository; an ID saves the image without tags (moby's rules).
 */
export async function saveImages(context: StoreContext, names: string[]): Promise<Readable> {
  const byId = new Map<string, SavedImage>();
  for (const name of names) {
    for (const { record, tag } of imagesNamedBy(context, name)) {
      context.catalog.assertUsable(record, name);
      let saved = byId.get(record.id);
      if (saved === undefined) {
        saved = { id: record.id, configBytes: await context.content.get(record.id), layers: await layerTars(context, record), tags: [] };
        byId.set(record.id, saved);
        reportEvent(context, 'save', record.id);
      }
      if (tag !== undefined && !saved.tags.some((t) => referenceString(t) === referenceString(tag))) saved.tags.push(tag);
    }
  }
  return saveArchiveStream([...byId.values()]);
}

/**
 * The manifest an image is saved with, as `docker image ls --tree` lists it: its descriptor and the
 * bytes of the content it names (itself, the config and the layer tars).
 */
export async function savedManifest(context: StoreContext, id: string): Promise<{ descriptor: Descriptor; contentSize: number }> {
  const record = context.catalog.findUsable(id);
  const configBytes = await context.content.get(record.id);
  const layers = await Promise.all((await layerTars(context, record)).map(layerDescriptor));
  const bytes = imageManifest(record.id, configBytes, layers);
  const descriptor = { mediaType: MediaTypes.OciManifest, digest: sha256Digest(bytes), size: bytes.length };
  return { descriptor, contentSize: layers.reduce((sum, layer) => sum + layer.size, bytes.length + configBytes.length) };
}

/** An image as a push sends it: the tag, the config and each layer's uncompressed tar. */
export interface PushableImage {
  id: string;
  tag: string;
  configBytes: Buffer;
  layers: Array<{ diffId: string; tarPath: string }>;
  /** The layers are held (an `rmi` meanwhile leaves their tars in place) until this is called. */
  release: () => void;
}

/**
 * What `docker push name[:tag]` sends: the tagged image, or every tagged image of the repository
 * when no tag is given (moby's rule). NotFoundError, with Docker's message, when there is none.
 */
export async function pushableImages(context: StoreContext, name: string): Promise<PushableImage[]> {
  const ref = parseNormalizedNamed(name);
  if (ref.digest !== undefined) throw new InvalidArgumentError('cannot push a digest reference');
  const tagged = context.refs.all().filter(({ ref: other }) => other.name === ref.name && other.digest === undefined);
  if (tagged.length === 0) throw new NotFoundError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  const named = tagged
    .filter(({ ref: other }) => ref.tag === undefined || other.tag === ref.tag)
    .flatMap(({ ref: other, id }) => {
      const record = context.catalog.get(id);
      return record === undefined ? [] : [{ record, tag: other }];
    });
  if (named.length === 0) throw new NotFoundError(`tag does not exist: ${familiarString(ref)}`);
  const pushable: PushableImage[] = [];
  try {
    for (const { record, tag } of named) {
      context.catalog.assertUsable(record, name);
      const top = record.chain.at(-1);
      const release = top === undefined ? () => undefined : context.holds.hold(top);
      pushable.push({ id: record.id, tag: tag!.tag ?? 'latest', configBytes: await context.content.get(record.id), layers: await layerTars(context, record), release });
    }
  } catch (err) {
    for (const image of pushable) image.release();
    throw err;
  }
  return pushable;
}

async function layerTars({ layers }: StoreContext, record: ImageRecord): Promise<Array<{ diffId: string; tarPath: string }>> {
  const tars = [];
  for (const [index, chainId] of record.chain.entries()) {
    tars.push({ diffId: record.config.rootfs.diff_ids[index]!, tarPath: await layers.tarPath(chainId) });
  }
  return tars;
}

function imagesNamedBy({ catalog, refs }: StoreContext, name: string): Array<{ record: ImageRecord; tag?: NamedReference }> {
  const nameOnly = isImageIdPrefix(name) || isDigest(name) ? undefined : parseNormalizedNamed(name);
  if (nameOnly !== undefined && nameOnly.tag === undefined && nameOnly.digest === undefined) {
    const tagged = refs
      .all()
      .filter(({ ref }) => ref.name === nameOnly.name && ref.digest === undefined)
      .flatMap(({ ref, id }) => {
        const record = catalog.get(id);
        return record === undefined ? [] : [{ record, tag: ref }];
      });
    if (tagged.length > 0) return tagged;
  }
  const record = catalog.find(name);
  if (isIdPrefix(record.id, name)) return [{ record }];
  const ref = withDefaultTag(parseNormalizedNamed(name));
  return ref.digest === undefined ? [{ record, tag: ref }] : [{ record }];
}
