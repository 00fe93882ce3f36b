import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InternalError, InvalidArgumentError, NotFoundError } from '@berth/api';
import { lstatInRoot } from '@berth/layer';
import { extractContext, type ContentRecord } from './context-extract.js';
import type { ExtractedFile, FileLender, KeepableContext } from './context-reuse.js';
import type { IgnoreRules, IgnoreRulesFactory } from './ignore-rules.js';
import { contextRelative, resolveInScope } from './scoped-path.js';

export interface ExtractContextOptions {
  /** Builds the `.dockerignore` matcher; without it the context is taken as it came. */
  ignoreRules?: IgnoreRulesFactory;
  /** The Dockerfile the build will read (the `dockerfile` parameter): readable even when `.dockerignore` excludes it. */
  dockerfile?: string;
  /** Kept files the same as the context's: linked instead of written (see ContextReuse). */
  lend?: FileLender;
  /** At most this much file content (the layer extractor's default bound otherwise). */
  maxBytes?: number;
}

const DEFAULT_DOCKERFILE = 'Dockerfile';
/** Dockerfiles and `.dockerignore` files are read whole: a bound keeps a hostile one from filling the daemon's memory. */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** Creates `dir` (owner-only) or takes it if it exists empty. */
async function prepareDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if ((await readdir(dir)).length > 0) throw new InternalError(`build context directory ${dir} is not empty`);
}

/** Reads a whole small text file; undefined when `path` is not a regular file. */
async function readText(path: string, what: string): Promise<string | undefined> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats?.isFile()) return undefined;
  if (stats.size > MAX_TEXT_BYTES) throw new InvalidArgumentError(`${what} is larger than ${MAX_TEXT_BYTES} bytes`);
  const handle = await open(path, 'r');
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function sha256Of(file: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  for (let position = 0; ; ) {
    const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

const depth = (path: string): number => path.split('/').length;

/**
 * Applies `.dockerignore` after extraction (it may come anywhere in the archive): what it excludes is
 * deleted, deepest first, a directory only once empty (a `!` pattern may keep something in it). The
 * build files in `keep` stay on disk for the builder but are returned as hidden from COPY.
 */
async function prune(root: string, paths: Set<string>, rules: IgnoreRules, keep: Set<string>): Promise<Set<string>> {
  const hidden = new Set<string>();
  for (const path of [...paths].sort((a, b) => depth(b) - depth(a))) {
    if (!rules.ignores(path)) continue;
    if (keep.has(path)) {
      hidden.add(path);
      continue;
    }
    // Never through a symlink: a path the archive named below a link would reach outside the context.
    const stats = lstatInRoot(root, path);
    if (stats === undefined) continue;
    if (!stats.isDirectory()) {
      await unlink(join(root, path));
      continue;
    }
    await rmdir(join(root, path)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  }
  return hidden;
}

/** The build files `.dockerignore` cannot remove: the builder reads them (moby removes them only after reading). */
function buildFiles(dockerfile: string | undefined): Set<string> {
  const keep = new Set(['.dockerignore']);
  const name = contextRelative(dockerfile ?? DEFAULT_DOCKERFILE);
  keep.add(name);
  if (name === DEFAULT_DOCKERFILE) keep.add(DEFAULT_DOCKERFILE.toLowerCase());
  return keep;
}

/**
 * A build context on disk: the extracted archive of `POST /build`, with the sha256 of every regular
 * file taken while it was extracted. The directory is private to the build; `remove` deletes it.
 */
export class BuildContext implements KeepableContext {
  private readonly scratch: string[] = [];

  private constructor(
    /** The context's root directory. */
    readonly root: string,
    private readonly files: Map<string, ContentRecord>,
    /** Build files `.dockerignore` excludes: readable by the builder, not copyable. */
    private readonly hidden: Set<string>,
  ) {}

  /** Extracts the context archive into `dir` (created, or empty) and applies its `.dockerignore`. */
  static async extract(tar: Readable, dir: string, options: ExtractContextOptions = {}): Promise<BuildContext> {
    const keep = buildFiles(options.dockerfile);
    await prepareDirectory(dir);
    try {
      const extracted = await extractContext(tar, dir, { ...(options.lend !== undefined ? { lend: options.lend } : {}), ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}) });
      let hidden = new Set<string>();
      if (options.ignoreRules !== undefined) {
        const dockerignore = await readText(join(dir, await resolveInScope(dir, '.dockerignore')), '.dockerignore');
        if (dockerignore !== undefined) hidden = await prune(dir, extracted.paths, options.ignoreRules(dockerignore), keep);
      }
      return new BuildContext(dir, extracted.files, hidden);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The Dockerfile's text, `path` relative to the context; `Dockerfile` falls back to `dockerfile` as in moby. */
  async readDockerfile(path = DEFAULT_DOCKERFILE): Promise<string> {
    const candidates = path === DEFAULT_DOCKERFILE ? [path, path.toLowerCase()] : [path];
    for (const candidate of candidates) {
      const resolved = await resolveInScope(this.root, contextRelative(candidate));
      const text = await readText(join(this.root, resolved), candidate);
      if (text === undefined) continue;
      if (text === '') throw new InvalidArgumentError(`the Dockerfile (${candidate}) cannot be empty`);
      return text;
    }
    throw new NotFoundError(`Cannot locate specified Dockerfile: ${path}`);
  }

  /** Deletes the context and whatever was downloaded for it. */
  async remove(): Promise<void> {
    for (const dir of [this.root, ...this.scratch]) await rm(dir, { recursive: true, force: true });
  }

  /** The regular files as extracted, by context path (what `.dockerignore` removed included). */
  extractedFiles(): Iterable<[string, ExtractedFile]> {
    return this.files.entries();
  }

  /** Whether COPY must treat the context path as absent (a build file `.dockerignore` excludes). */
  isHidden(rel: string): boolean {
    return this.hidden.has(rel);
  }

  /** A source path given to COPY, cleaned and with its symlinks resolved inside the context (relative, '' for the root). */
  async resolve(path: string): Promise<string> {
    return resolveInScope(this.root, contextRelative(path));
  }

  /** The sha256 of a context file: as taken at extraction, or read now if extraction did not see it as it is. */
  async contentDigest(rel: string, stats: Stats, openFile: () => Promise<FileHandle | undefined>): Promise<string> {
    const record = this.files.get(rel);
    if (record !== undefined && record.size === stats.size) return record.sha256;
    const file = await openFile();
    if (file === undefined) throw new NotFoundError(`stat ${rel}: file does not exist`);
    try {
      return await sha256Of(file);
    } finally {
      await file.close();
    }
  }

  /** A new directory beside the context for files fetched for it (ADD of a URL); removed with the context. */
  async scratchDir(): Promise<string> {
    const dir = await mkdtemp(`${this.root}-download-`);
    this.scratch.push(dir);
    return dir;
  }
}
