import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

// The builder's kept context (see @berth/builder's ContextReuse) lives under the builder's directory. Which
// files it holds is known only to the daemon that kept it: a start sets it aside, and deletes it once listening.
const KEPT_CONTEXTS = 'contexts';
const SET_ASIDE_PREFIX = 'contexts.removed-';

export const keptContextsDir = (builderDir: string): string => join(builderDir, KEPT_CONTEXTS);

/** Moves the kept contexts out of the way of the builds to come. */
export async function setAsideKeptContexts(builderDir: string): Promise<void> {
  await rename(keptContextsDir(builderDir), join(builderDir, `${SET_ASIDE_PREFIX}${Date.now()}-${process.pid}`)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** Deletes what this start (or an earlier one that crashed before it was done) set aside. */
export async function removeSetAsideContexts(builderDir: string): Promise<void> {
  const names = await readdir(builderDir).catch(() => []);
  for (const name of names.filter((entry) => entry.startsWith(SET_ASIDE_PREFIX))) await rm(join(builderDir, name), { recursive: true, force: true });
}
