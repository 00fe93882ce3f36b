import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError, isTarHeader, type DockerignoreMatcher } from '@berth/api';
import { readAll } from './read-all.js';
import { contextEntries, ignoreMatcher, tarEntries, type ContextEntry } from './context-tar.js';

/** What `POST /build` gets: the context tar and the Dockerfile's path inside it (none: the daemon's default). */
export interface BuildContext {
  tar: AsyncIterable<Buffer>;
  dockerfile: string | undefined;
}

/** docker's build.DetectContextType, minus the remote kinds this side cannot reach. */
function isRemote(context: string): boolean {
  return /^https?:\/\//.test(context) || ['git://', 'github.com/', 'git@'].some((prefix) => context.startsWith(prefix));
}

/**
 * The context of `berth build CONTEXT [-f FILE]` as docker's CLI prepares it: `-` is stdin (a tar,
 * plain or compressed, or else a Dockerfile alone); a directory is tarred here with its .dockerignore
 * applied; a Dockerfile from stdin (`-f -`) or from outside the directory is added under a random name.
 */
export async function prepareBuildContext(context: string, dockerfileFlag: string | undefined, stdin: Readable): Promise<BuildContext> {
  const dockerfileFromStdin = dockerfileFlag === '-';
  if (context === '-') {
    if (dockerfileFromStdin) throw new InvalidArgumentError("invalid argument: can't use stdin for both build context and dockerfile");
    return contextFromStdin(stdin, dockerfileFlag);
  }
  if (!existsSync(context)) {
    if (isRemote(context)) throw new InvalidArgumentError(`unable to prepare context: remote build contexts (git repositories, URLs) are not supported by berth: ${context}`);
    throw new InvalidArgumentError(`unable to prepare context: path "${context}" not found`);
  }
  const { root, dockerfile } = await localContext(context, dockerfileFlag).catch((err: Error) => {
    throw new InvalidArgumentError(`unable to prepare context: ${err.message}`);
  });
  const outside = dockerfile.startsWith(`..${sep}`);
  const extraDockerfile = dockerfileFromStdin ? await readAll(stdin) : outside ? await readFile(resolve(dockerfileFlag ?? '')).catch((err: Error) => {
    throw new InvalidArgumentError(`unable to open Dockerfile: ${err.message}`);
  }) : undefined;
  const excludes = keepBuildFiles(await readDockerignore(root), dockerfile, dockerfileFromStdin);
  const entries = await contextEntries(root, excludes);
  if (!extraDockerfile) return { tar: tarEntries(entries), dockerfile };
  const name = `.dockerfile.${randomBytes(10).toString('hex')}`;
  return { tar: tarEntries(withDockerfile(entries, name, extraDockerfile, await readFile(join(root, '.dockerignore')).catch(() => undefined))), dockerfile: name };
}

/** The context directory and the Dockerfile's path relative to it (`../…` when outside), as docker's GetContextFromLocalDir. */
async function localContext(context: string, dockerfileFlag: string | undefined): Promise<{ root: string; dockerfile: string }> {
  const root = await realpath(resolve(context)).catch((err: Error) => {
    throw new Error(`unable to evaluate symlinks in context path: ${err.message}`);
  });
  if (!(await lstat(root)).isDirectory()) throw new Error(`context must be a directory: ${root}`);
  if (dockerfileFlag === '-') return { root, dockerfile: '-' };
  let candidate = dockerfileFlag ? resolve(dockerfileFlag) : join(root, 'Dockerfile');
  if (!dockerfileFlag && !existsSync(candidate) && existsSync(join(root, 'dockerfile'))) candidate = join(root, 'dockerfile');
  if (!isAbsolute(candidate)) candidate = join(root, candidate);
  const real = await realpath(candidate).catch((err: NodeJS.ErrnoException) => {
    const reason = err.code === 'ENOENT' ? `lstat ${firstMissing(candidate)}: no such file or directory` : err.message;
    throw new Error(`unable to evaluate symlinks in Dockerfile path: ${reason}`);
  });
  return { root, dockerfile: relative(root, real) };
}

/** The first component of a path that does not exist, which Go's EvalSymlinks names in its error. */
function firstMissing(path: string): string {
  const parts = path.split(sep);
  for (let i = 2; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join(sep);
    if (!existsSync(prefix)) return prefix;
  }
  return path;
}

async function readDockerignore(root: string): Promise<string[]> {
  const text = await readFile(join(root, '.dockerignore'), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw new InvalidArgumentError(`error reading .dockerignore: ${err.message}`);
  });
  return text.split(/\r?\n/);
}

/**
 * docker's TrimBuildFilesFromExcludes: .dockerignore and the Dockerfile are sent even when ignored (the daemon
 * drops them from COPY). Patterns the matcher refuses are left as they are: the walk reports them, as docker's does.
 */
export function keepBuildFiles(excludes: string[], dockerfile: string, dockerfileFromStdin: boolean): string[] {
  let matcher: DockerignoreMatcher;
  try {
    matcher = ignoreMatcher(excludes);
  } catch {
    return excludes;
  }
  const kept = [...excludes];
  if (matcher.ignores('.dockerignore')) kept.push('!.dockerignore');
  const slashed = dockerfile.split(sep).join('/');
  if (!dockerfileFromStdin && matcher.ignores(slashed)) kept.push(`!${slashed}`);
  return kept;
}

/**
 * docker's AddDockerfileToBuildContext: the Dockerfile under its random name, and that name appended to
 * .dockerignore (made when there is none) so that the daemon keeps it out of COPY and ADD.
 */
function withDockerfile(entries: ContextEntry[], name: string, dockerfile: Buffer, dockerignore: Buffer | undefined): ContextEntry[] {
  const now = new Date();
  const ignoreText = Buffer.concat([dockerignore ?? Buffer.from('.dockerignore'), Buffer.from(`\n${name}\n`)]);
  const ignoreEntry: ContextEntry = { name: '.dockerignore', content: ignoreText, mode: 0o600, mtime: now };
  const rest = entries.filter((entry) => entry.name !== '.dockerignore');
  const original = entries.find((entry) => entry.name === '.dockerignore');
  const replaced = original && 'stats' in original ? { ...ignoreEntry, mode: original.stats.mode & 0o7777, mtime: original.stats.mtime } : ignoreEntry;
  return [...rest, replaced, { name, content: dockerfile, mode: 0o600, mtime: now }];
}

const ARCHIVE_PEEK = 1024;

/** Whether the first bytes of a stream are a compressed stream (gzip, bzip2, xz, zstd) or a tar header, as docker's isArchive. */
export function isArchive(head: Buffer): boolean {
  const magic = [[0x1f, 0x8b, 0x08], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x28, 0xb5, 0x2f, 0xfd]];
  if (magic.some((bytes) => bytes.every((byte, i) => head[i] === byte))) return true;
  return isTarHeader(head);
}

/** Stdin as the context: a tar goes as it is; anything else is a Dockerfile, sent as the only file of a tar. */
async function contextFromStdin(stdin: Readable, dockerfileFlag: string | undefined): Promise<BuildContext> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  while (length < ARCHIVE_PEEK) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield Buffer.from(next.value);
  };
  if (isArchive(head)) return { tar: rest(), dockerfile: dockerfileFlag };
  if (dockerfileFlag) throw new InvalidArgumentError('unable to prepare context from STDIN: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  const dockerfile = await readAll(rest());
  return { tar: tarEntries([{ name: 'Dockerfile', content: dockerfile, mode: 0o644, mtime: new Date() }]), dockerfile: 'Dockerfile' };
}
