import { InvalidArgumentError } from '@berth/api';
import { familiarName, familiarString, parseNormalizedNamed, withDefaultTag, type NamedReference } from '@berth/reference';
import type { ImageRecord } from './image-views.js';
import { reportEvent, type StoreContext } from './store-context.js';

/** `docker tag`: points `target` (default tag `latest`) at the image `source` names. */
export async function tagImage(context: StoreContext, source: string, target: string): Promise<void> {
  await context.queue.run(async () => {
    const record = context.catalog.find(source);
    const ref = parseNormalizedNamed(target);
    if (ref.digest !== undefined) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
    if (familiarName(ref) === 'sha256') {
      throw new InvalidArgumentError('refusing to create an ambiguous tag using digest algorithm as name');
    }
    await setTag(context, record, withDefaultTag(ref));
  });
}

/** Points `tag` at the image and reports the `tag` event. */
export async function setTag(context: StoreContext, record: ImageRecord, tag: NamedReference): Promise<void> {
  await context.refs.update((draft) => draft.set(tag, record.id));
  await markTagged(context, record);
  reportEvent(context, 'tag', record.id, familiarString(tag));
}

/** A tagged image is no longer hidden build cache. */
export async function markTagged(context: StoreContext, record: ImageRecord): Promise<void> {
  record.lastTagTime = new Date().toISOString();
  record.intermediate = false;
  await saveMetadata(context, record);
}

export async function saveMetadata({ metadata }: StoreContext, record: ImageRecord): Promise<void> {
  const { lastTagTime, cacheKey, intermediate } = record;
  await metadata.set(record.id, {
    ...(lastTagTime !== undefined ? { lastTagTime } : {}),
    ...(cacheKey !== undefined ? { cacheKey } : {}),
    ...(intermediate === true ? { intermediate } : {}),
  });
}
