import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { eventLoopTurns, lstatInRoot } from '@berth/layer';

/** Files up to this size are held in memory until their digest is known, so that a kept one can be linked instead; larger ones are never kept. */
export const LENDABLE_MAX_BYTES = 8 * 1024 * 1024;

/** What makes two context files interchangeable on disk: content, size, owner, mode and modification time. */
export interface FileIdentity {
  sha256: string;
  size: number;
  uid: number;
  gid: number;
  mode: number;
  mtime: Date;
}

/** A regular file as extraction left it; one with xattrs is never lent (they are not part of its identity). */
export interface ExtractedFile extends FileIdentity {
  xattrs: boolean;
}

export function identityKey(file: FileIdentity): string {
  return [file.sha256, file.size, file.uid, file.gid, (file.mode & 0o7777).toString(8), file.mtime.getTime()].join(':');
}

/** Lends kept files to one extraction, each at most once: two files of one context never share an inode (COPY would make them hardlinks). */
export type FileLender = (key: string) => string | undefined;

/** A context whose files can be lent, with what it was made of. */
export interface KeepableContext {
  readonly root: string;
  /** The regular files by context path, as extracted. */
  extractedFiles(): Iterable<[string, ExtractedFile]>;
}

export interface KeptContextUsage {
  id: string;
  size: number;
  keptAt: Date;
  lastUsedAt: Date;
  usageCount: number;
}

interface Kept {
  id: string;
  dir: string;
  /** Context paths of the kept files by identity key; one path per inode. */
  files: Map<string, string[]>;
  size: number;
  keptAt: Date;
  lastUsedAt: Date;
  usageCount: number;
}

function sameFile(stats: Stats, file: FileIdentity): boolean {
  return (
    stats.isFile() &&
    stats.size === file.size &&
    stats.uid === file.uid &&
    stats.gid === file.gid &&
    (stats.mode & 0o7777) === (file.mode & 0o7777) &&
    stats.mtime.getTime() === file.mtime.getTime()
  );
}

/**
 * The files of a kept context that are still as extracted and can be lent, by identity key; one path
 * per inode. Everything else but directories is removed (files too large to lend, with xattrs, other
 * names of a lent inode, symlinks), so that keeping a context costs only what can be reused, and its
 * size is what it holds.
 */
async function indexFiles(dir: string, extracted: Iterable<[string, ExtractedFile]>): Promise<Pick<Kept, 'files' | 'size'>> {
  const files = new Map<string, string[]>();
  const indexed = new Set<string>();
  const inodes = new Set<string>();
  let size = 0;
  const turns = eventLoopTurns();
  for (const [rel, file] of extracted) {
    await turns();
    // What the build left on disk: files .dockerignore removed, or a later entry replaced, are not lent.
    const stats = lstatInRoot(dir, rel);
    if (stats === undefined || !sameFile(stats, file) || file.size > LENDABLE_MAX_BYTES || file.xattrs) continue;
    const inode = `${stats.dev}:${stats.ino}`;
    if (inodes.has(inode)) continue;
    inodes.add(inode);
    indexed.add(rel);
    size += stats.size;
    const key = identityKey(file);
    const paths = files.get(key);
    if (paths === undefined) files.set(key, [rel]);
    else paths.push(rel);
  }
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    await turns();
    const rel = relative(dir, join(entry.parentPath, entry.name));
    if (!entry.isDirectory() && !indexed.has(rel)) await rm(join(dir, rel), { force: true });
  }
  return { files, size };
}

/**
 * The last successful build's context, kept so that the next context's unchanged files are hardlinked
 * from it instead of written again (BuildKit keeps the contexts it received for the same reason).
 * Contexts are read-only once extracted, so a shared inode is never written through. It is build
 * cache: `system df` shows it, `builder prune` removes it, and a daemon start clears it.
 */
export class ContextReuse {
  private kept: Kept | undefined;
  /** The indexing of the context being kept: the next lender waits for it. */
  private keeping: Promise<void> = Promise.resolve();
  private readonly removals = new Set<Promise<void>>();

  constructor(private readonly dir: string) {}

  /** A lender for one extraction over the kept context's files; none while nothing is kept. */
  async lender(): Promise<FileLender | undefined> {
    await this.keeping;
    const kept = this.kept;
    if (kept === undefined) return undefined;
    kept.lastUsedAt = new Date();
    kept.usageCount++;
    const lent = new Map<string, number>();
    return (key) => {
      const paths = kept.files.get(key);
      const next = lent.get(key) ?? 0;
      if (paths === undefined || next >= paths.length) return undefined;
      lent.set(key, next + 1);
      return join(kept.dir, paths[next]!);
    };
  }

  /**
   * Takes `context`'s directory (moved, not copied) as the one to lend from, dropping the earlier one.
   * Resolves once it is moved; it is indexed after, and a context with nothing to lend is removed.
   */
  async keep(context: KeepableContext): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = randomBytes(12).toString('hex');
    const dir = join(this.dir, id);
    await rename(context.root, dir);
    const extracted = context.extractedFiles();
    this.keeping = this.keeping.then(async () => {
      try {
        const indexed = await indexFiles(dir, extracted);
        if (indexed.files.size === 0) {
          this.remove(dir);
          return;
        }
        const earlier = this.kept;
        const now = new Date();
        this.kept = { id, dir, ...indexed, keptAt: now, lastUsedAt: now, usageCount: 0 };
        if (earlier !== undefined) this.remove(earlier.dir);
      } catch {
        // Keeping is an optimisation: a context that cannot be indexed is removed, the earlier one stays.
        this.remove(dir);
      }
    });
  }

  /** The kept context once the one being kept is indexed. */
  async usage(): Promise<KeptContextUsage | undefined> {
    await this.keeping;
    const kept = this.kept;
    return kept === undefined ? undefined : { id: kept.id, size: kept.size, keptAt: kept.keptAt, lastUsedAt: kept.lastUsedAt, usageCount: kept.usageCount };
  }

  /**
   * Removes the kept context (an extraction lending from it writes what it can no longer link); with
   * `id`, only if it is still that one.
   */
  async drop(id?: string): Promise<KeptContextUsage | undefined> {
    const dropped = await this.usage();
    if (dropped === undefined || (id !== undefined && dropped.id !== id)) return undefined;
    this.remove(this.kept!.dir);
    this.kept = undefined;
    await this.settled();
    return dropped;
  }

  /** Waits for the keeping and the removals under way. */
  async settled(): Promise<void> {
    await this.keeping;
    await Promise.allSettled([...this.removals]);
  }

  /** Removed in the background: a build's answer does not wait for the earlier context's deletion. */
  private remove(dir: string): void {
    const removal = rm(dir, { recursive: true, force: true })
      .catch(() => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }
}
