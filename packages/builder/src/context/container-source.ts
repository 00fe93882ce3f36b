import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { extract as tarExtract } from 'tar-stream';
import type { Header } from 'tar-stream';
import { NotFoundError } from '@berth/api';
import type { PackHeader } from '@berth/layer';
import type { StepContainer } from '../executor/backend.js';
import { resolveContainerPath } from './container-path.js';
import { entryDigest, hashList, headerFor, tarName, type CopySource, type EntryKind, type EmitOptions } from './copy-source.js';
import { containsWildcards, globMatch } from './glob.js';
import { trimSource } from './scoped-path.js';
import { addEntry, addStreamedEntry } from './tar-entries.js';

type TarEntry = AsyncIterable<Buffer> & { header: Header; resume(): void };

const KINDS: Partial<Record<Header['type'] & string, EntryKind>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
  link: 'link',
  fifo: 'fifo',
};

/** An entry's path below the top of a `get` archive, whose top is named after the path (`/` for the root). */
function belowTop(name: string, isRoot: boolean): string {
  const parts = posix.normalize(`/${name}`).split('/').filter((p) => p !== '');
  return (isRoot ? parts : parts.slice(1)).join('/');
}

/** Reads `get(path)` entry by entry; `visit` consumes or leaves each entry's content. */
async function eachEntry(container: StepContainer, path: string, visit: (entry: TarEntry, rel: string) => Promise<void>): Promise<void> {
  const tar = await container.get(path);
  const parser = tarExtract();
  tar.on('error', (err) => parser.destroy(err));
  tar.pipe(parser as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of parser as AsyncIterable<TarEntry>) {
      await visit(entry, belowTop(entry.header.name, path === '/'));
      entry.resume();
    }
  } finally {
    tar.destroy();
  }
}

/** Paths of the container matching a wildcard source (relative to `/`), as moby's walk of the image's root finds them. */
export async function containerMatches(container: StepContainer, pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  const literal: string[] = [];
  for (const part of parts) {
    if (!containsWildcards(part)) literal.push(part);
    else break;
  }
  const prefix = posix.join('/', ...literal);
  const resolved = await resolveContainerPath(container, prefix);
  // moby's walk never enters a symlinked directory.
  if (!resolved.info?.isDirectory || resolved.path !== prefix) return [];
  const matches = new Set<string>();
  await eachEntry(container, prefix, async (_entry, rel) => {
    const full = posix.join(...literal, rel);
    if (rel !== '' && globMatch(pattern, full)) matches.add(full);
  });
  return [...matches].sort();
}

/** A source in another stage's container (`COPY --from`); a symlink as the source is followed inside that container. */
export async function containerSource(container: StepContainer, source: string): Promise<CopySource> {
  const trimmed = trimSource(source);
  const resolved = await resolveContainerPath(container, `/${trimmed}`);
  if (resolved.info === undefined) throw new NotFoundError(`stat ${trimmed}: file does not exist`);
  const isDirectory = resolved.info.isDirectory;
  const digests: string[] = [];
  await eachEntry(container, resolved.path, async (entry, rel) => {
    const { header } = entry;
    const type = KINDS[header.type ?? 'file'];
    if (type === undefined || (isDirectory && rel === '')) return;
    let content = header.linkname ?? undefined;
    if (type === 'file') {
      const hash = createHash('sha256');
      for await (const chunk of entry) hash.update(chunk);
      content = hash.digest('hex');
    }
    digests.push(entryDigest({ path: rel, type, mode: header.mode ?? 0, size: header.size, content, owner: { uid: header.uid ?? 0, gid: header.gid ?? 0 } }));
  });
  return {
    name: posix.basename(trimmed),
    hash: isDirectory ? hashList('dir', digests) : `file:${digests[0] ?? entryDigest({ path: '', type: 'file', mode: 0 })}`,
    isDirectory,
    emit: (options, target) => emitFromContainer(container, resolved.path, isDirectory, options, target),
  };
}

async function emitFromContainer(container: StepContainer, path: string, isDirectory: boolean, options: EmitOptions, target: string): Promise<void> {
  await eachEntry(container, path, async (entry, rel) => {
    const { header } = entry;
    const type = KINDS[header.type ?? 'file'];
    if (type === undefined || (isDirectory && rel === '') || (!isDirectory && rel !== '')) return;
    const destination = posix.join(target, rel);
    const out: PackHeader & { uid: number; gid: number; mode: number } = {
      ...header,
      name: tarName(destination, type === 'directory'),
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
      mode: header.mode ?? 0o644,
    };
    if (type === 'link') out.linkname = tarName(posix.join(target, belowTop(header.linkname ?? '', path === '/')));
    if (type === 'file') await addStreamedEntry(options.pack, headerFor(options, out), entry);
    else await addEntry(options.pack, headerFor(options, { ...out, size: 0 }));
  });
}
