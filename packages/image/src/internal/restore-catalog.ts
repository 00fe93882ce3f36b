import type { ImageConfig } from '@berth/oci';
import { familiarString, sha256Digest } from '@berth/reference';
import { chainIds, parseImageConfig } from './image-config.js';
import type { StoreContext } from './store-context.js';

/** Rebuilds the in-memory catalog on open, reporting images that cannot be used (their layers are missing). */
export async function restoreCatalog(context: StoreContext, log: (message: string) => void): Promise<void> {
  const { catalog, content, metadata, refs } = context;
  for (const id of await content.list()) {
    const bytes = await content.get(id);
    if (sha256Digest(bytes) !== id) {
      log(`skipping image ${id}: its config does not match its digest`);
      continue;
    }
    let config: ImageConfig;
    try {
      config = parseImageConfig(bytes, id);
    } catch (err) {
      log(`skipping image ${id}: ${(err as Error).message}`);
      continue;
    }
    const chain = chainIds(config.rootfs.diff_ids);
    catalog.add({ id, config, chain, size: catalog.chainSize(chain), ...(await metadata.get(id)) });
  }
  const orphans = refs.all().filter(({ id }) => !catalog.has(id));
  if (orphans.length > 0) {
    for (const { ref, id } of orphans) log(`dropping reference ${familiarString(ref)}: image ${id} is not available`);
    await refs.update((draft) => orphans.forEach(({ ref }) => draft.delete(ref)));
  }
  for (const record of catalog.all()) {
    const problem = catalog.problemOf(record);
    if (problem === undefined) continue;
    const tags = catalog.namesOf(record.id).repoTags;
    log(`image ${record.id}${tags.length > 0 ? ` (${tags.join(', ')})` : ''} is unusable: ${problem}`);
  }
}
