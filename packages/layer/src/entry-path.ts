import { posix } from 'node:path';
import { UnsafeArchiveEntryError } from './errors.js';

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

function escapesRoot(normalised: string): boolean {
  return normalised === '..' || normalised.startsWith('../');
}

/**
 * The entry's path relative to the layer root, normalised ('' is the root itself).
 * Absolute names and names that climb above the root are refused, not rewritten.
 */
export function normaliseEntryName(name: string): string {
  if (name === '' || name.includes('\0')) throw new UnsafeArchiveEntryError(name, 'empty or malformed name');
  if (name.startsWith('/')) throw new UnsafeArchiveEntryError(name, 'absolute paths are not allowed');
  const normalised = posix.normalize(name).replace(/\/+$/, '');
  if (escapesRoot(normalised)) throw new UnsafeArchiveEntryError(name, 'path escapes the layer root');
  return normalised === '.' ? '' : normalised;
}

/**
 * Absolute symlink targets are resolved inside the container at run time, so they are fine;
 * a relative one must stay inside the layer when resolved from the link's own directory.
 */
export function checkSymlinkTarget(entryName: string, path: string, target: string): void {
  if (target === '' || target.includes('\0')) throw new UnsafeArchiveEntryError(entryName, 'empty symlink target');
  if (target.startsWith('/')) return;
  if (escapesRoot(posix.normalize(posix.join(posix.dirname(path), target)))) {
    throw new UnsafeArchiveEntryError(entryName, `symlink target ${JSON.stringify(target)} escapes the layer root`);
  }
}

/** A hardlink names another entry of the same archive, by its archive path. */
export function normaliseHardlinkTarget(entryName: string, linkname: string): string {
  if (linkname === '' || linkname.startsWith('/') || linkname.includes('\0')) {
    throw new UnsafeArchiveEntryError(entryName, `hardlink target ${JSON.stringify(linkname)} is outside the layer`);
  }
  const normalised = posix.normalize(linkname).replace(/\/+$/, '');
  if (escapesRoot(normalised) || normalised === '.') {
    throw new UnsafeArchiveEntryError(entryName, `hardlink target ${JSON.stringify(linkname)} is outside the layer`);
  }
  return normalised;
}

export type WhiteoutEntry =
  | { kind: 'none' }
  /** aufs bookkeeping (`.wh..wh.plnk` and friends): meaningless for overlay, skipped as moby does. */
  | { kind: 'metadata' }
  | { kind: 'opaque'; dir: string }
  | { kind: 'whiteout'; path: string };

/** Classifies a normalised entry path under the layer-tar whiteout convention (OCI image-spec, layer.md). */
export function classifyWhiteout(entryName: string, path: string): WhiteoutEntry {
  const components = path.split('/');
  const base = components[components.length - 1];
  const parents = components.slice(0, -1);
  if (parents.some((c) => c.startsWith(WHITEOUT_META_PREFIX))) return { kind: 'metadata' };
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir: parents.join('/') };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'metadata' };
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  const hidden = base.slice(WHITEOUT_PREFIX.length);
  if (hidden === '' || hidden === '.' || hidden === '..') {
    throw new UnsafeArchiveEntryError(entryName, 'whiteout does not name an entry inside the layer');
  }
  return { kind: 'whiteout', path: [...parents, hidden].join('/') };
}
