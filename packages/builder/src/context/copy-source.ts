import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { Pack } from 'tar-stream';
import type { PackHeader } from '@berth/layer';
import type { Owner } from '../executor/backend.js';

/** How the entries of one COPY are written: the owner (`--chown`, root, or undefined to keep the source's) and `--chmod`. */
export interface EmitOptions {
  pack: Pack;
  owner?: Owner;
  mode?: number;
}

/** One source of a COPY or ADD, hashed when prepared, written into the step's tar when applied. */
export interface CopySource {
  /** The name a file takes in a directory destination: the last part of the source as written. */
  name: string;
  /** moby's cache text for it: `file:<hex>` or `dir:<hex>`. */
  hash: string;
  isDirectory: boolean;
  /** A context file, which ADD unpacks when its content is a (possibly compressed) tar. */
  archive?: {
    detect(): Promise<boolean>;
    /** Writes the archive's entries under `target`, owners and modes as in the archive (moby ignores `--chown` there). */
    unpack(options: EmitOptions, target: string): Promise<void>;
  };
  /** A file: written as `target`. A directory: its contents written under `target`. */
  emit(options: EmitOptions, target: string): Promise<void>;
}

/** The archive name of an absolute container path, relative to `/` (the step's tar is put at `/`). */
export function tarName(path: string, isDirectory = false): string {
  const name = path.replace(/^\/+/, '');
  return isDirectory && name !== '' ? `${name}/` : name;
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'link' | 'fifo';

/** What of an entry decides the result of copying it; `content` is the file's sha256 or the link's target. */
export interface EntryFacts {
  path: string;
  type: EntryKind;
  mode: number;
  size?: number;
  content?: string;
  /** Only for sources whose owners are kept (`COPY --from` without `--chown`). */
  owner?: Owner;
}

export function entryDigest(facts: EntryFacts): string {
  const { path, type, mode, size, content, owner } = facts;
  return createHash('sha256')
    .update(JSON.stringify([path, type, mode & 0o7777, size ?? 0, content ?? '', owner ? [owner.uid, owner.gid] : null]))
    .digest('hex');
}

/** moby's hashStringSlice: `prefix:` + sha256 of the hashes joined with commas. */
export function hashList(prefix: string, hashes: string[]): string {
  return `${prefix}:${createHash('sha256').update(hashes.join(',')).digest('hex')}`;
}

export function kindOf(stats: Stats): EntryKind | undefined {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  // Sockets and devices are not copied (a context never holds devices; tar leaves sockets out).
  return undefined;
}

/** An entry's header as written: owner and mode from the options when they say so (links keep theirs). */
export function headerFor(options: EmitOptions, header: PackHeader & { uid: number; gid: number; mode: number }): PackHeader {
  const linkish = header.type === 'symlink' || header.type === 'link';
  return {
    ...header,
    uid: options.owner?.uid ?? header.uid,
    gid: options.owner?.gid ?? header.gid,
    mode: linkish || options.mode === undefined ? header.mode & 0o7777 : options.mode,
  };
}
