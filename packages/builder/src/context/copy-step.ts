import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { pack as tarPack, type Pack } from 'tar-stream';
import { BerthError, InternalError, InvalidArgumentError, NotFoundError } from '@berth/api';
import type { Heredoc } from '../dockerfile/commands.js';
import type { Owner, StepContainer } from '../executor/backend.js';
import type { BuildContext } from './build-context.js';
import { resolveContainerPath, type ContainerPath } from './container-path.js';
import { containerMatches, containerSource } from './container-source.js';
import { contextMatches, contextSource } from './context-source.js';
import { hashList, tarName, type CopySource, type EmitOptions } from './copy-source.js';
import { containsWildcards } from './glob.js';
import { heredocSource, isUrl, urlSource } from './remote-source.js';
import { trimSource } from './scoped-path.js';
import { addEntry, packStream } from './tar-entries.js';

export interface CopyRequest {
  kind: 'COPY' | 'ADD';
  /** Expanded sources as written (context paths, wildcards, URLs for ADD). */
  sources: string[];
  /** Expanded, absolute (made so against WORKDIR), a trailing `/` kept. */
  dest: string;
  /** Here-document sources, expanded. */
  heredocs: Heredoc[];
  chown?: string;
  chmod?: string;
  /** `COPY --from`: sources are read from this container instead of the context. */
  from?: StepContainer;
}

export interface PreparedCopy {
  /** The step's cache key part: changes with any copied byte, mode, name or option. */
  checksum: string;
  /** moby's name for the sources in the history line: `file:<hex>`, `dir:<hex>` or `multi:<hex>`. */
  description: string;
  /** Writes the sources into `container` as one tar put at `/`. */
  apply(container: StepContainer): Promise<void>;
}

const ROOT: Owner = { uid: 0, gid: 0 };

/** The same kind of error, its message prefixed as moby wraps it. */
function prefixed(err: unknown, prefix: string): Error {
  if (!(err instanceof Error)) return new InternalError(`${prefix}${String(err)}`);
  const message = `${prefix}${err.message}`;
  if (err instanceof NotFoundError) return new NotFoundError(message, { cause: err });
  if (err instanceof InvalidArgumentError) return new InvalidArgumentError(message, { cause: err });
  return new InternalError(message, { cause: err });
}

/** `--chmod`: an octal mode (BuildKit's form; the classic builder has no --chmod). */
function parseChmod(chmod: string): number {
  if (!/^[0-7]{1,4}$/.test(chmod)) throw new InvalidArgumentError(`invalid --chmod value ${JSON.stringify(chmod)}: an octal mode is expected`);
  return parseInt(chmod, 8);
}

async function sourcesOf(context: BuildContext, request: CopyRequest): Promise<CopySource[]> {
  const sources: CopySource[] = [];
  for (const source of request.sources) {
    if (isUrl(source)) {
      if (request.kind === 'COPY') throw new InvalidArgumentError("source can't be a URL for COPY");
      sources.push(await urlSource(context, source, request.dest.endsWith('/')));
      continue;
    }
    const one = (path: string): Promise<CopySource> => (request.from ? containerSource(request.from, path) : contextSource(context, path));
    const trimmed = trimSource(source);
    if (!containsWildcards(trimmed)) {
      sources.push(await one(source));
      continue;
    }
    const matches = request.from ? await containerMatches(request.from, trimmed) : await contextMatches(context, trimmed);
    for (const match of matches) sources.push(await one(match));
  }
  for (const heredoc of request.heredocs) sources.push(heredocSource(heredoc));
  return sources;
}

/** Reads (and for ADD of a URL, downloads) the sources, and computes the step's cache key and history text. */
export async function prepareCopy(context: BuildContext, request: CopyRequest): Promise<PreparedCopy> {
  const mode = request.chmod === undefined ? undefined : parseChmod(request.chmod);
  let sources: CopySource[];
  try {
    sources = await sourcesOf(context, request);
    if (sources.length === 0) throw new InvalidArgumentError('no source files were specified');
  } catch (err) {
    throw prefixed(err, `${request.kind} failed: `);
  }
  if (sources.length > 1 && !request.dest.endsWith('/')) {
    throw new InvalidArgumentError(`When using ${request.kind} with more than one source file, the destination must be a directory and end with a /`);
  }
  const sourceHash = sources.length === 1 ? sources[0].hash : hashList('multi', sources.map((s) => s.hash));
  const key = [request.kind, request.dest, request.chown ?? null, request.chmod ?? null, request.from !== undefined, sources.map((s) => [s.name, s.hash])];
  return {
    checksum: createHash('sha256').update(JSON.stringify(key)).digest('hex'),
    description: sourceHash,
    apply: (container) => applyCopy(container, request, sources, mode),
  };
}

/** Writes the sources' entries, creating what is missing of the destination as moby's copy does. */
class CopyWriter {
  /** Directories this tar creates: later sources find them existing. */
  private readonly created = new Set<string>();

  constructor(
    private readonly pack: Pack,
    private readonly dest: ContainerPath,
    private readonly destIsDirectory: boolean,
    private readonly owner: Owner | undefined,
    private readonly mode: number | undefined,
  ) {}

  private exists(path: string): boolean {
    if (this.created.has(path)) return true;
    const missing = this.dest.firstMissing;
    return missing === undefined || (path !== missing && !path.startsWith(`${missing}/`));
  }

  private isDirectory(path: string): boolean {
    return this.created.has(path) || (path === this.dest.path && this.dest.info?.isDirectory === true);
  }

  /** Creates the missing directories down to `path` (0755, `owner`; `last` for `path` itself), never touching existing ones. */
  private async mkdirAll(path: string, owner: Owner, last?: { owner: Owner; mode: number }): Promise<void> {
    const chain: string[] = [];
    for (let p = path; !this.exists(p); p = posix.dirname(p)) chain.unshift(p);
    for (const dir of chain) {
      const own = dir === path && last ? last : { owner, mode: 0o755 };
      await addEntry(this.pack, { name: tarName(dir, true), type: 'directory', mode: own.mode, uid: own.owner.uid, gid: own.owner.gid, mtime: new Date() });
      this.created.add(dir);
    }
  }

  private checkDirectoryDest(what: string): void {
    if (this.dest.info !== undefined && !this.dest.info.isDirectory) {
      throw new InvalidArgumentError(`failed to copy files: ${what}: mkdir ${this.dest.path}: not a directory`);
    }
  }

  async write(source: CopySource, unpack: boolean): Promise<void> {
    const options: EmitOptions = { pack: this.pack, owner: this.owner, mode: this.mode };
    const dest = this.dest.path;
    if (source.isDirectory) {
      this.checkDirectoryDest('failed to copy directory');
      // moby: parents made by the daemon (root), the directory itself then chowned to the copy's owner.
      await this.mkdirAll(posix.dirname(dest), ROOT);
      await this.mkdirAll(dest, ROOT, { owner: this.owner ?? ROOT, mode: this.mode ?? 0o755 });
      return source.emit(options, dest);
    }
    if (unpack && source.archive) {
      this.checkDirectoryDest('failed to extract archive');
      await this.mkdirAll(dest, ROOT);
      return source.archive.unpack(options, dest);
    }
    const intoDirectory = this.destIsDirectory || this.isDirectory(dest);
    if (intoDirectory) this.checkDirectoryDest('failed to create new directory');
    const target = intoDirectory ? posix.join(dest, source.name) : dest;
    await this.mkdirAll(posix.dirname(target), this.owner ?? ROOT);
    return source.emit(options, target);
  }
}

async function ownerOf(container: StepContainer, request: CopyRequest): Promise<Owner | undefined> {
  if (request.chown === undefined) return request.from === undefined ? ROOT : undefined;
  try {
    return await container.resolveOwner(request.chown);
  } catch (err) {
    throw prefixed(err, 'unable to convert uid/gid chown string to host mapping: ');
  }
}

async function applyCopy(container: StepContainer, request: CopyRequest, sources: CopySource[], mode: number | undefined): Promise<void> {
  const owner = await ownerOf(container, request);
  const dest = await resolveContainerPath(container, request.dest);
  if (dest.notDirectory !== undefined) {
    throw new InvalidArgumentError(`failed to copy files: failed to create new directory: mkdir ${dest.notDirectory}: not a directory`);
  }
  const unpack: boolean[] = [];
  for (const source of sources) unpack.push(request.kind === 'ADD' && source.archive !== undefined && (await source.archive.detect()));
  const pack = tarPack();
  const writer = new CopyWriter(pack, dest, request.dest.endsWith('/'), owner, mode);
  let failure: unknown;
  // The producer's failure once the container stopped reading (a full disk): a consequence, its cause comes from `put`.
  let consequence: unknown;
  const fail = (err: unknown): void => {
    failure ??= err;
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  const produce = async (): Promise<void> => {
    for (const [index, source] of sources.entries()) await writer.write(source, unpack[index]);
    pack.finalize();
  };
  const produced = produce().catch((err: unknown) => {
    if (pack.destroyed && failure === undefined) consequence = err;
    else fail(err);
  });
  await Promise.all([produced, container.put('/', packStream(pack)).catch(fail)]);
  failure ??= consequence;
  if (failure !== undefined) throw failure instanceof BerthError ? failure : prefixed(failure, 'failed to copy files: ');
}
