import { InvalidArgumentError } from '@berth/api';
import { posix } from 'node:path';

/** One side of a copy as moby's archive package describes it. */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the source's entries take instead of its base name (a followed link keeps the link's name). */
  rebaseName?: string;
}

/** Where an archive is extracted, and the rename its entries need there. */
export interface ArchiveCopy {
  dir: string;
  rebase?: { from: string; to: string };
}

/** docker cp's `CONTAINER:PATH`: an absolute path, one without `:`, or one starting with `.` is local. */
export function splitCopyArg(arg: string): { container: string; path: string } {
  const colon = arg.indexOf(':');
  if (arg.startsWith('/') || colon < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** Go's filepath.Clean: no trailing separator, `.` for nothing. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** Go's filepath.Base: the last element after trailing separators are dropped; `.` for nothing, `/` for the root. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const specifiesCurrentDir = (path: string): boolean => goBase(path) === '.';
const hasTrailingSeparator = (path: string): boolean => path.endsWith('/');

/** A path that says it is a directory: a trailing `/` or `/.`. */
export const assertsDirectory = (path: string): boolean => hasTrailingSeparator(path) || specifiesCurrentDir(path);

/** moby's SplitPathDirEntry: the directory and the entry a path names, `/.` kept as the entry `.`. */
export function splitPathDirEntry(path: string): [string, string] {
  let cleaned = goClean(path);
  if (specifiesCurrentDir(path)) cleaned += '/.';
  return [posix.dirname(cleaned), goBase(cleaned)];
}

/** moby's PreserveTrailingDotOrSeparator: a cleaned path keeps the `/.` or `/` the original ended with. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let path = cleaned;
  if (!specifiesCurrentDir(path) && specifiesCurrentDir(original)) path += hasTrailingSeparator(path) ? '.' : '/.';
  if (!hasTrailingSeparator(path) && hasTrailingSeparator(original)) path += '/';
  return path;
}

/** moby's GetRebaseName: a followed link's target keeps the link's trailing `/.` or `/`, and its entries the link's name. */
export function rebaseName(path: string, resolved: string): { path: string; rebaseName?: string } {
  const target = preserveTrailingDotOrSeparator(resolved, path);
  return goBase(path) === goBase(target) ? { path: target } : { path: target, rebaseName: goBase(path) };
}

/**
 * moby's PrepareArchiveCopy: where an archive of `src` is extracted so that it lands at `dst`. Into an
 * existing directory as it is; otherwise into the destination's parent, its entries renamed to the
 * destination's name.
 */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): ArchiveCopy {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  const srcBase = src.rebaseName || splitPathDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dir: dst.path };
  if (dst.exists && src.isDir) throw new InvalidArgumentError('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new InvalidArgumentError('no such directory');
  return { dir: dstDir, rebase: { from: srcBase, to: dstBase } };
}

/** An archive entry's name (or hard link's target) after moby's RebaseArchiveEntries: its first `from` replaced by `to`; from the root, `to` is put in front. */
export function rebaseEntry(name: string, rebase: ArchiveCopy['rebase']): string {
  if (!rebase) return name;
  return name.replace(rebase.from === '/' ? '' : rebase.from, rebase.to);
}
