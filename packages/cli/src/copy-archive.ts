import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readlink, realpath, rm, stat, symlink, utimes } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '@berth/api';
import { extract } from 'tar-stream';
import { contextEntries, tarEntries, type ContextEntry } from './context-tar.js';
import { systemMessage } from './go-errors.js';
import { goBase, goClean, preserveTrailingDotOrSeparator, rebaseEntry, rebaseName, splitPathDirEntry, type ArchiveCopy, type CopyInfo } from './copy-paths.js';

/** moby follows at most this many links when resolving a local destination. */
const MAX_LINKS = 10;

/** Go's os error text for a failed call on a path: `lstat /x: no such file or directory`. */
function goPathError(op: string, path: string, err: unknown): Error {
  return new InvalidArgumentError(`${op} ${path}: ${systemMessage(err)}`, { cause: err });
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

/** Whether `path` is `dir` or below it, lexically. */
function within(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !rel.startsWith('/'));
}

function breakout(reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid copy source content: ${reason}`);
}

/** Refuses a path below `dir` that goes through a symlink this extraction made: following it could land anywhere. */
function refuseMadeLinks(dir: string, name: string, madeLinks: Set<string>): void {
  const parts = name.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const parent = join(dir, ...parts.slice(0, i));
    if (madeLinks.has(parent)) throw breakout(`${name} is below the symlink ${parent}`);
  }
}

/**
 * moby's Untar with NoLchown and NoOverwriteDirNonDir, entries renamed as the copy needs (after `first`:
 * a followed link's target named as the link). Nothing lands outside `dir`: as moby's, an entry's path, a hard
 * link's target and a relative symlink's target must stay inside it; and no entry or hard link goes through a
 * symlink the archive made (the user's own symlinks in the destination are followed, as docker follows them).
 */
export async function extractArchive(tar: Readable, copy: ArchiveCopy, first?: ArchiveCopy['rebase']): Promise<void> {
  const rename = (name: string): string => goClean(rebaseEntry(rebaseEntry(name, first), copy.rebase));
  const entries = extract();
  const done = pipeline(tar, entries);
  // Its failure is reported below, or the loop's own is: never both, never unhandled.
  done.catch(() => undefined);
  const dirTimes: Array<[string, Date]> = [];
  const madeLinks = new Set<string>();
  try {
    for await (const entry of entries) {
      const header = entry.header;
      const name = rename(header.name);
      const target = join(copy.dir, name);
      if (!within(copy.dir, target)) throw breakout(`${header.name} is outside of ${copy.dir}`);
      refuseMadeLinks(copy.dir, name, madeLinks);
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
        const linkname = header.linkname ?? '';
        // An absolute target is left as it is (it names a path in the container); a relative one must stay inside.
        if (!linkname.startsWith('/') && !within(copy.dir, resolve(dirname(target), linkname))) throw breakout(`invalid symlink "${target}" -> "${linkname}"`);
        await symlink(linkname, target);
        madeLinks.add(target);
      } else if (header.type === 'link') {
        const linkedName = rename(header.linkname ?? '');
        const linked = join(copy.dir, linkedName);
        if (!within(copy.dir, linked)) throw breakout(`invalid hardlink "${linked}" -> "${header.linkname ?? ''}"`);
        refuseMadeLinks(copy.dir, linkedName, madeLinks);
        await link(linked, target);
        // A hard link to a symlink is that symlink again.
        if ((await lstat(target)).isSymbolicLink()) madeLinks.add(target);
      } else if (header.type === 'file' || header.type === 'contiguous-file') {
        await pipeline(entry, createWriteStream(target, { mode }));
        await chmod(target, mode);
        if (header.mtime) await utimes(target, header.mtime, header.mtime);
        continue;
      }
      entry.resume();
    }
  } catch (err) {
    entries.destroy();
    tar.destroy();
    throw err;
  }
  await done;
  // A directory's time is set last: writing inside it changed it.
  for (const [path, time] of dirTimes.reverse()) await utimes(path, time, time);
}
