import { ConflictError } from '@berth/api';
import { familiarString, parseNormalizedNamed, shortId, withDefaultTag, type NamedReference } from '@berth/reference';
import { isIdPrefix, isSingleReference, referencesToUntag } from './delete-rules.js';
import type { ImageRecord } from './image-views.js';
import { releaseUnusedLayers } from './layer-release.js';
import { imageFilter, validateFilters, type ImageFilters } from './list-filters.js';
import { reportEvent, type StoreContext } from './store-context.js';

/** A container (or other user) of an image, for the conflict rules of `remove`. */
export interface ImageUser {
  id: string;
  running: boolean;
}

export interface RemoveOptions {
  /** Remove an image referenced from several repositories by ID. */
  force?: boolean;
  /** Accepted for API parity; images here have no parent chain to prune. */
  noPrune?: boolean;
  /** The containers using each image: a running one blocks removal, a stopped one unless forced. */
  usersOf?: (id: string) => ImageUser[];
}

export interface PruneOptions {
  filters?: ImageFilters;
  /** Whether a container uses the image (such images are never pruned). */
  isInUse: (id: string) => boolean;
}

export interface PruneReport {
  ImagesDeleted: DeleteRecord[];
  SpaceReclaimed: number;
}

export type DeleteRecord = { Untagged: string } | { Deleted: string };

/**
 * `docker rmi`: by name it untags, deleting the image only when that was its last name; by ID it
 * deletes, untagging quietly only names in a single repository unless forced. Containers using the
 * image block it as in moby: a running one always, a stopped one unless forced; after removing the
 * last name of an image still in use the image quietly stays, dangling.
 */
export async function removeImage(context: StoreContext, nameOrId: string, options: RemoveOptions): Promise<DeleteRecord[]> {
  return context.queue.run(async () => {
    const record = context.catalog.find(nameOrId);
    const force = options.force === true;
    const users = options.usersOf?.(record.id) ?? [];
    const records: DeleteRecord[] = [];
    const refs = context.refs.referencesTo(record.id);
    let removedRepositoryRef = false;
    if (!isIdPrefix(record.id, nameOrId)) {
      if (!force && isSingleReference(refs) && users.length > 0) {
        throw new ConflictError(
          `conflict: unable to remove repository reference ${JSON.stringify(nameOrId)} (must force) - container ${shortId(users[0].id)} is using its referenced image ${shortId(record.id)}`,
        );
      }
      const untag = referencesToUntag(withDefaultTag(parseNormalizedNamed(nameOrId)), refs);
      // moby reports only the reference named (the first); the digests of its repository go with it quietly.
      await untagImage(context, record.id, untag, records, untag.slice(1));
      if (untag.length < refs.length) return records;
      removedRepositoryRef = true;
    } else if (!isSingleReference(refs) && !force) {
      throw new ConflictError(
        `conflict: unable to delete ${shortId(record.id)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    const conflict = deleteConflict(record.id, users, force);
    if (conflict !== undefined) {
      if (removedRepositoryRef) return records;
      throw conflict;
    }
    await untagImage(context, record.id, context.refs.referencesTo(record.id), records);
    await deleteImage(context, record, records);
    return records;
  });
}

/** moby's checkImageDeleteConflict for containers: running is a hard conflict, stopped a soft one. */
function deleteConflict(id: string, users: ImageUser[], force: boolean): ConflictError | undefined {
  const running = users.find((user) => user.running);
  if (running !== undefined) {
    return new ConflictError(
      `conflict: unable to delete ${shortId(id)} (cannot be forced) - image is being used by running container ${shortId(running.id)}`,
    );
  }
  if (!force && users.length > 0) {
    return new ConflictError(
      `conflict: unable to delete ${shortId(id)} (must be forced) - image is being used by stopped container ${shortId(users[0].id)}`,
    );
  }
  return undefined;
}

/**
 * `docker image prune`: dangling images (or, with `dangling=false`, every image no container
 * uses), narrowed by `until` and `label` filters; reports the layer bytes freed.
 */
export async function pruneImages(context: StoreContext, options: PruneOptions): Promise<PruneReport> {
  const filters = options.filters ?? {};
  validateFilters(filters, new Set(['dangling', 'until', 'label', 'label!']));
  const danglingOnly = (filters.dangling ?? ['true']).every((v) => v === 'true' || v === '1');
  const matches = imageFilter(Object.fromEntries(Object.entries(filters).filter(([name]) => name !== 'dangling')), () => 0);
  return context.queue.run(async () => {
    const sizes = new Map(context.layers.list().map((layer) => [layer.chainId, layer.size]));
    const records: DeleteRecord[] = [];
    for (const record of context.catalog.all()) {
      const refs = context.refs.referencesTo(record.id);
      // Intermediate images are build cache: `builder prune` removes them.
      if (record.intermediate === true || options.isInUse(record.id) || !matches({ record, refs })) continue;
      if (danglingOnly && refs.some((ref) => ref.digest === undefined)) continue;
      await untagImage(context, record.id, refs, records);
      await deleteImage(context, record, records);
    }
    const reclaimed = records.reduce((sum, r) => sum + ('Deleted' in r ? (sizes.get(r.Deleted) ?? 0) : 0), 0);
    return { ImagesDeleted: records, SpaceReclaimed: reclaimed };
  });
}

/** Removes the references in one write; each is reported as an `untag` of the image unless listed in `quiet`. */
async function untagImage(
  context: StoreContext,
  id: string,
  refs: NamedReference[],
  records: DeleteRecord[],
  quiet: NamedReference[] = [],
): Promise<void> {
  if (refs.length === 0) return;
  await context.refs.update((draft) => refs.forEach((ref) => draft.delete(ref)));
  for (const ref of refs) {
    records.push({ Untagged: familiarString(ref) });
    if (!quiet.includes(ref)) reportEvent(context, 'untag', id);
  }
}

export async function deleteImage(context: StoreContext, record: ImageRecord, records: DeleteRecord[]): Promise<void> {
  context.catalog.delete(record.id);
  await context.content.delete(record.id);
  await context.metadata.delete(record.id);
  reportEvent(context, 'delete', record.id);
  records.push({ Deleted: record.id });
  for (const chainId of await releaseUnusedLayers(context, [...record.chain].reverse())) records.push({ Deleted: chainId });
}
