import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readlink, realpath, rm, stat, symlink, utimes } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '@berth/api';
import { extract } from 'tar-stream';
import { contextEntries, tarEntries, type ContextEntry } from './context-tar.js';
import { goBase, goClean, preserveTrailingDotOrSeparator, rebaseEntry, rebaseName, splitPathDirEntry, type ArchiveCopy, type CopyInfo } from './copy-paths.js';

/** moby follows at most this many links when resolving a local destination. */
const MAX_LINKS = 10;

/** Go's os error text for a failed call on a path: `lstat /x: no such file or directory`. */
function goPathError(op: string, path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'ENOTDIR' ? 'not a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return new InvalidArgumentError(`${op} ${path}: ${reason}`, { cause: err });
}

/** docker cp's local path: absolute, keeping a trailing `/` or `/.`. */
export function resolveLocalPath(path: string): string {
  return preserveTrailingDotOrSeparator(resolve(path), path);
}

/** moby's CopyInfoDestinationPath: what a local destination is, links followed; a missing one needs its parent directory. */
export async function localDestination(path: string): Promise<CopyInfo> {
  let current = path;
  for (let links = 0; ; links++) {
    const info = await lstat(current).catch(() => undefined);
    if (!info) break;
    if (!info.isSymbolicLink()) return { path: current, exists: true, isDir: info.isDirectory() };
    if (links === MAX_LINKS) throw new InvalidArgumentError(`too many symlinks in ${path}`);
    const [dir] = splitPathDirEntry(current);
    current = resolve(dir, await readlink(current));
  }
  const [parent] = splitPathDirEntry(current);
  const parentInfo = await stat(parent).catch((err: unknown) => {
    throw goPathError('stat', parent, err);
  });
  if (!parentInfo.isDirectory()) throw new InvalidArgumentError('not a directory');
  return { path: current, exists: false, isDir: false };
}

/** moby's CopyInfoSourcePath: the local source, its link followed with `-L` (the entries keep the link's name). */
export async function localSource(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: { path: string; rebaseName?: string };
  if (followLink) {
    resolved = rebaseName(path, await realpath(path).catch((err: unknown) => Promise.reject(goPathError('lstat', path, err))));
  } else {
    // Only the parent's links are resolved: the entry itself is archived as it is.
    const slash = path.lastIndexOf('/');
    const parent = await realpath(path.slice(0, slash + 1) || '.').catch((err: unknown) => Promise.reject(goPathError('lstat', path, err)));
    const entry = path.slice(slash + 1);
    resolved = { path: `${parent === '/' ? '' : parent}/${entry}` };
    if (path.endsWith('/') && goBase(path) !== goBase(resolved.path)) resolved.rebaseName = goBase(path);
  }
  const info = await lstat(resolved.path).catch((err: unknown) => {
    throw goPathError('lstat', resolved.path, err);
  });
  return { path: resolved.path, exists: true, isDir: info.isDirectory(), ...(resolved.rebaseName && { rebaseName: resolved.rebaseName }) };
}

/**
 * moby's TarResource: the source entry (a whole tree for a directory) named by its base name, or its
 * rebase name, with the renaming the destination needs (PrepareArchiveCopy's) already applied.
 */
export async function localSourceArchive(source: CopyInfo, options: { keepOwners: boolean; rebase: ArchiveCopy['rebase'] }): Promise<AsyncIterable<Buffer>> {
  const [dir, base] = splitPathDirEntry(source.path);
  const root = join(dir, base);
  const name = source.rebaseName ?? base;
  const stats = await lstat(root);
  const top: ContextEntry = stats.isSymbolicLink() ? { name, path: root, stats, linkname: await readlink(root) } : { name: stats.isDirectory() ? `${name}/` : name, path: root, stats };
  const inside = stats.isDirectory() ? await contextEntries(root, []) : [];
  const entries = [top, ...inside.map((entry) => ({ ...entry, name: `${name}/${entry.name}` }))];
  return tarEntries(
    entries.map((entry) => ({ ...entry, name: rebaseEntry(entry.name, options.rebase) })),
    { keepOwners: options.keepOwners },
  );
}

/**
 * moby's Untar with NoLchown and NoOverwriteDirNonDir, entries renamed as the copy needs (after `first`:
 * a followed link's target named as the link); nothing lands outside `dir`.
 */
export async function extractArchive(tar: Readable, copy: ArchiveCopy, first?: ArchiveCopy['rebase']): Promise<void> {
  const rename = (name: string): string => goClean(rebaseEntry(rebaseEntry(name, first), copy.rebase));
  const entries = extract();
  const done = pipeline(tar, entries);
  const dirTimes: Array<[string, Date]> = [];
  for await (const entry of entries) {
    const header = entry.header;
    const name = rename(header.name);
    const target = join(copy.dir, name);
    if (relative(copy.dir, target).startsWith('..')) throw new InvalidArgumentError(`invalid copy source content: ${header.name} is outside of ${copy.dir}`);
    const existing = await lstat(target).catch(() => undefined);
    const isDir = header.type === 'directory';
    if (existing?.isDirectory() && !isDir) throw new InvalidArgumentError(`cannot overwrite directory "${target}" with non-directory "${name}"`);
    if (existing && !existing.isDirectory() && isDir) throw new InvalidArgumentError(`cannot overwrite non-directory "${target}" with directory "${name}"`);
    await mkdir(dirname(target), { recursive: true });
    if (existing && !isDir) await rm(target, { force: true });
    const mode = (header.mode ?? 0o644) & 0o7777;
    if (isDir) {
      await mkdir(target, { recursive: true, mode });
      await chmod(target, mode);
      if (header.mtime) dirTimes.push([target, header.mtime]);
    } else if (header.type === 'symlink') {
      await symlink(header.linkname ?? '', target);
    } else if (header.type === 'link') {
      await link(join(copy.dir, rename(header.linkname ?? '')), target);
    } else if (header.type === 'file' || header.type === 'contiguous-file') {
      await pipeline(entry, createWriteStream(target, { mode }));
      await chmod(target, mode);
      if (header.mtime) await utimes(target, header.mtime, header.mtime);
      continue;
    }
    entry.resume();
  }
  await done;
  // A directory's time is set last: writing inside it changed it.
  for (const [path, time] of dirTimes.reverse()) await utimes(path, time, time);
}
