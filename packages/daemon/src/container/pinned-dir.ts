import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';

const DIR_NO_FOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** An open directory and a path that names it for as long as it stays open. */
export interface PinnedDir {
  /** `/proc/self/fd/<n>`: paths below it resolve from the open directory, not by name from `/`. */
  path: string;
  close(): Promise<void>;
}

/**
 * Opens `relative` (normalised, no `..`) below the trusted host directory `base` one component at a time, refusing symlinks
 * (O_NOFOLLOW) and opening each component relative to the directory opened before it. A running
 * container that swaps a directory on the way for a symlink after its path was resolved makes this
 * fail (ELOOP or ENOTDIR) instead of leading the engine through the link.
 */
export async function pinDirectory(base: string, relative: string): Promise<PinnedDir> {
  let handle: FileHandle = await open(base, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const part of relative.split('/').filter((p) => p !== '' && p !== '.')) {
      const next = await open(posix.join(`/proc/self/fd/${handle.fd}`, part), DIR_NO_FOLLOW);
      await handle.close();
      handle = next;
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  const pinned = handle;
  return { path: `/proc/self/fd/${pinned.fd}`, close: () => pinned.close() };
}
