import { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import type { Header } from 'tar-stream';
import { BerthError, ConflictError, InternalError, InvalidArgumentError } from '@berth/api';
import { DecompressedSizeLimitError, openArchiveStream } from './archive-stream.js';
import { checkSymlinkTarget, classifyWhiteout, normaliseEntryName, normaliseHardlinkTarget } from './entry-path.js';
import { UnsafeArchiveEntryError, isSyscallError } from './errors.js';
import { eventLoopTurns } from './event-loop-turns.js';
import { directIo, threadpoolIo, type ExtractIo } from './extract-io.js';
import type { ExtractTree } from './extract-tree.js';
import type { LinkableFiles } from './linkable-files.js';
import { PinnedTree, type DirNonDirPolicy, type ExtractMount } from './pinned-tree.js';
import { SafeTree } from './safe-tree.js';
import { makeNode, setXattr, type NodeType } from './system-tools.js';

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 ** 3;

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const PAX_XATTR_PREFIX = 'SCHILY.xattr.';
// trusted.* (overlay's own metadata among it) must never come from an archive.
const ALLOWED_XATTR_NAMESPACES = ['user.', 'security.'];

export interface UnpackOptions {
  maxBytes: number;
  /** Turn `.wh.` entries into overlay whiteouts and opaque markers (layer tars) instead of plain files. */
  whiteouts: boolean;
  /** Sees every uncompressed byte, in order (the diffID digester). */
  onData?: (chunk: Buffer) => void;
  /** Files of the tree this archive was made from (see upperDirTar), linked instead of written when they can be. */
  linkable?: LinkableFiles;
  /**
   * The target may change while it is written (a running container's directory): hold every directory
   * open and create every entry through its open parent (see PinnedTree) instead of checking paths.
   */
  pinned?: boolean;
  /** Pinned only: filesystems mounted below the target, by path relative to it, written into instead of what lies beneath. */
  mounts?: ReadonlyMap<string, ExtractMount>;
  /** Pinned only: what an entry does to an existing directory if it is none, and the reverse (default 'tar'). */
  dirNonDir?: DirNonDirPolicy;
  /**
   * Pinned only: the owner of the parent directories an entry implies but the archive does not hold (as
   * dockerd, a remapped container's root, so that root can write in them); default the daemon's.
   */
  parentOwner?: Owner;
  /**
   * Owner of every entry instead of the archive's (Docker's ChownOpts), or a function of the archive's
   * owner (a remapped container's ids as the host stores them); applied when running as root.
   */
  owner?: Owner | OwnerMap;
}

export interface Owner {
  uid: number;
  gid: number;
}

/** One view of an owner to another: a container's ids to the host's, or back. */
export type OwnerMap = (owner: Owner) => Owner;

export type ExtractOptions = Partial<Pick<UnpackOptions, 'maxBytes' | 'whiteouts' | 'pinned' | 'mounts' | 'dirNonDir' | 'parentOwner' | 'owner'>>;

interface Entry extends Readable {
  header: Header;
}

interface ExtractState {
  tree: ExtractTree;
  io: ExtractIo;
  pinned: boolean;
  whiteouts: boolean;
  asRoot: boolean;
  owner?: Owner | OwnerMap;
  bytes: number;
  /** Directory mtimes (by path in the tree) are set last: creating their children changes them. */
  dirTimes: Map<string, Date>;
  /** The name of the entry being extracted, for errors. */
  current?: string;
  /** Entries that come parsed are metered here (an archive is metered as it is decompressed): at most this much file content. */
  maxBytes?: number;
  linkable?: LinkableFiles;
}

/** Extracts a tar stream into `dir` safely (plain or gzip; see UnpackOptions for the knobs). */
export async function extractTar(tar: Readable, dir: string, options: ExtractOptions = {}): Promise<{ bytes: number }> {
  return unpackArchive(tar, dir, {
    ...options,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    whiteouts: options.whiteouts ?? false,
  });
}

/** One archive entry to extract: its header and, for a regular file, its content. */
export interface TarEntry extends AsyncIterable<Buffer> {
  readonly header: Header;
  /**
   * A regular file outside the tree that already is this one, content, owner, mode and times alike: it
   * is hardlinked in instead of written (the content is written if it cannot be).
   */
  readonly sameAs?: string;
}

function stateFor(tree: ExtractTree, options: Pick<UnpackOptions, 'pinned' | 'whiteouts' | 'owner' | 'linkable'>): ExtractState {
  return {
    tree,
    ...(options.linkable !== undefined ? { linkable: options.linkable } : {}),
    io: options.pinned ? threadpoolIo : directIo,
    pinned: options.pinned ?? false,
    whiteouts: options.whiteouts,
    asRoot: process.getuid?.() === 0,
    owner: options.owner,
    bytes: 0,
    dirTimes: new Map(),
  };
}

function openTree(dir: string, options: Pick<UnpackOptions, 'pinned' | 'mounts' | 'dirNonDir' | 'parentOwner'>): Promise<ExtractTree> | ExtractTree {
  return options.pinned ? PinnedTree.open(dir, { mounts: options.mounts, dirNonDir: options.dirNonDir, parentOwner: options.parentOwner }) : new SafeTree(dir);
}

/** Extracts each entry as it comes (`after` sees it once it is done), then sets the directories' times. */
async function extractAll(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>, state: ExtractState, after?: (entry: TarEntry) => void): Promise<void> {
  // Direct calls run on the main thread: between entries, the event loop gets its turns.
  const turns = eventLoopTurns();
  const yieldNow = async (): Promise<void> => {
    if (state.io === directIo) await turns();
  };
  for await (const entry of entries) {
    state.current = entry.header.name;
    await extractEntry(entry, state);
    after?.(entry);
    await yieldNow();
  }
  for (const [path, mtime] of state.dirTimes) {
    const target = await state.tree.prepareDirectory(path, path);
    await state.io.lutimes(target, mtime);
    await yieldNow();
  }
}

/**
 * Extracts entries that come parsed already (a caller that reads an archive itself and checks or
 * changes its entries on the way) into a private `dir`, as `extractTar` would extract them from a tar;
 * the caller drains what an entry leaves unread. Returns the bytes of regular-file content written.
 */
export async function extractEntries(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>, dir: string, options: Pick<ExtractOptions, 'whiteouts' | 'maxBytes'> = {}): Promise<{ bytes: number }> {
  const state = stateFor(new SafeTree(dir), { whiteouts: options.whiteouts ?? false });
  state.maxBytes = options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  try {
    await extractAll(entries, state);
    return { bytes: state.bytes };
  } catch (err) {
    throw describeFailure(err, state.current, false);
  } finally {
    await state.tree.close();
  }
}

/** Decompresses, meters and extracts in one pass; returns the bytes of regular-file content written. */
export async function unpackArchive(source: Readable, dir: string, options: UnpackOptions): Promise<{ bytes: number }> {
  // Opened before the tar flows: nothing may be awaited between piping into the extractor and iterating it.
  const tree = await openTree(dir, options);
  const extractor = tarExtract();
  let producerError: Error | undefined;
  const stream = await openArchiveStream(source, {
    maxBytes: options.maxBytes,
    onData: options.onData,
    onError: (err) => {
      producerError = err;
      extractor.destroy(err);
    },
  }).catch(async (err: unknown) => {
    await tree.close();
    throw err;
  });
  stream.pipe(extractor as unknown as NodeJS.WritableStream);
  const state = stateFor(tree, options);
  try {
    await extractAll(extractor as AsyncIterable<Entry>, state, (entry) => (entry as Entry).resume());
    return { bytes: state.bytes };
  } catch (err) {
    stream.destroy();
    extractor.destroy();
    throw describeFailure(producerError ?? err, state.current, state.pinned);
  } finally {
    await state.tree.close();
  }
}

/** Codes a target that others change (a running container's directory) produces when it moves mid-extraction. */
const RACED = new Set(['ENOENT', 'EEXIST', 'ENOTDIR', 'ELOOP']);

function describeFailure(err: unknown, entry: string | undefined, pinned: boolean): Error {
  if (err instanceof BerthError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (pinned && RACED.has((err as NodeJS.ErrnoException).code ?? '')) {
    return new ConflictError(`the target changed while tar entry ${JSON.stringify(entry ?? '')} was extracted: ${message}`, { cause: err });
  }
  if (err instanceof DecompressedSizeLimitError && entry !== undefined) {
    return new UnsafeArchiveEntryError(entry, message, { cause: err });
  }
  if (isSyscallError(err)) {
    return new InternalError(`failed to extract tar entry ${JSON.stringify(entry ?? '')}: ${message}`, { cause: err });
  }
  const at = entry === undefined ? '' : ` at tar entry ${JSON.stringify(entry)}`;
  return new InvalidArgumentError(`invalid layer archive${at}: ${message}`, { cause: err });
}

async function extractEntry(entry: TarEntry, state: ExtractState): Promise<void> {
  const { header } = entry;
  const name = header.name;
  const path = normaliseEntryName(name);
  if (state.whiteouts) {
    const whiteout = classifyWhiteout(name, path);
    switch (whiteout.kind) {
      case 'metadata':
        return;
      case 'opaque': {
        const dir = await state.tree.prepareDirectory(name, whiteout.dir);
        await setXattr(dir, OPAQUE_XATTR, Buffer.from('y'));
        return;
      }
      case 'whiteout': {
        const target = await state.tree.prepareSlot(name, whiteout.path);
        await makeNode(target, { kind: 'char', major: 0, minor: 0 });
        return;
      }
      case 'none':
        break;
    }
  }
  if (path === '') {
    // The root is the layer directory itself, owned by the store.
    if (header.type !== 'directory') throw new UnsafeArchiveEntryError(name, 'the layer root must be a directory');
    return;
  }
  switch (header.type) {
    case 'directory':
      return extractDirectory(entry, path, state);
    case 'file':
    case 'contiguous-file':
      return extractFile(entry, path, state);
    case 'symlink':
      return extractSymlink(entry, path, state);
    case 'link':
      return extractHardlink(entry, path, state);
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return extractNode(entry, path, state);
    default:
      throw new UnsafeArchiveEntryError(name, `unsupported entry type ${JSON.stringify(header.type)}`);
  }
}

/** lchown to the entry's owner (see ownerOf), when running as root. */
async function chownEntry(target: string, header: Header, state: ExtractState): Promise<void> {
  if (!state.asRoot) return;
  const { uid, gid } = ownerOf(header, state);
  await state.io.lchown(target, uid, gid);
}

/** Who an entry belongs to: the archive says, unless the extraction names an owner. */
function ownerOf(header: Header, state: ExtractState): Owner {
  const archived = { uid: header.uid ?? 0, gid: header.gid ?? 0 };
  if (typeof state.owner === 'function') return state.owner(archived);
  return state.owner ?? archived;
}

function modeOf(header: Header): number {
  return header.mode & 0o7777;
}

/** Whether the entry carries xattrs extraction would set. */
export function hasXattrs(header: Header): boolean {
  return xattrsOf(header).length > 0;
}

/** xattrs from PAX `SCHILY.xattr.*` records, limited to namespaces an image may carry. */
function xattrsOf(header: Header): [string, Buffer][] {
  const pax = header.pax;
  if (pax === null || typeof pax !== 'object') return [];
  const result: [string, Buffer][] = [];
  for (const [key, value] of Object.entries(pax as Record<string, unknown>)) {
    if (!key.startsWith(PAX_XATTR_PREFIX) || typeof value !== 'string') continue;
    const name = key.slice(PAX_XATTR_PREFIX.length);
    if (!ALLOWED_XATTR_NAMESPACES.some((ns) => name.startsWith(ns))) continue;
    // tar-stream decodes PAX values as UTF-8; a binary value it could not decode cannot be restored exactly.
    if (value.includes('\uFFFD')) continue;
    result.push([name, Buffer.from(value, 'utf8')]);
  }
  return result;
}

async function applyXattrs(path: string, header: Header): Promise<void> {
  for (const [name, value] of xattrsOf(header)) await setXattr(path, name, value);
}

async function extractFile(entry: TarEntry, path: string, state: ExtractState): Promise<void> {
  const { header } = entry;
  if (state.maxBytes !== undefined && state.bytes + header.size > state.maxBytes) throw new DecompressedSizeLimitError(state.maxBytes);
  const target = await state.tree.prepareSlot(header.name, path);
  const linked = await state.linkable?.link(header, target);
  if (linked !== undefined) {
    try {
      // The bytes still pass: the archive's reader hashes and keeps them.
      for await (const chunk of entry) void chunk;
      await linked.confirm();
    } finally {
      await linked.close();
    }
    await chownEntry(target, header, state);
    await state.io.chmod(target, modeOf(header));
    await state.io.lutimes(target, header.mtime);
    state.bytes += header.size;
    return;
  }
  if (entry.sameAs !== undefined) {
    try {
      await state.io.link(entry.sameAs, target);
      state.bytes += header.size;
      return;
    } catch (err) {
      // Gone since it was offered, or at its link limit: the content is there to write.
      if (!isSyscallError(err)) throw err;
    }
  }
  state.bytes += await state.io.createFile(target, entry, {
    ...(state.asRoot ? { owner: ownerOf(header, state) } : {}),
    mode: modeOf(header),
    xattrs: xattrsOf(header),
    mtime: header.mtime,
  });
}

async function extractDirectory(entry: TarEntry, path: string, state: ExtractState): Promise<void> {
  const { header } = entry;
  const target = await state.tree.prepareDirectory(header.name, path);
  await chownEntry(target, header, state);
  await state.io.chmod(target, modeOf(header));
  await applyXattrs(target, header);
  state.dirTimes.set(path, header.mtime);
}

async function extractSymlink(entry: TarEntry, path: string, state: ExtractState): Promise<void> {
  const { header } = entry;
  checkSymlinkTarget(header.name, path, header.linkname);
  const target = await state.tree.prepareSlot(header.name, path);
  await state.io.symlink(header.linkname, target);
  await chownEntry(target, header, state);
  await state.io.lutimes(target, header.mtime);
}

async function extractHardlink(entry: TarEntry, path: string, state: ExtractState): Promise<void> {
  const { header } = entry;
  const linkPath = normaliseHardlinkTarget(header.name, header.linkname);
  if (linkPath === path) throw new UnsafeArchiveEntryError(header.name, 'hardlink to itself');
  const existing = await state.tree.resolveHardlinkTarget(header.name, linkPath);
  const target = await state.tree.prepareSlot(header.name, path);
  // link(2) does not follow a symlink named as the existing file, so this never reaches outside the tree.
  await state.io.link(existing, target);
}

async function extractNode(entry: TarEntry, path: string, state: ExtractState): Promise<void> {
  const { header } = entry;
  if (header.type !== 'fifo' && !state.asRoot) {
    throw new UnsafeArchiveEntryError(header.name, 'device nodes are only extracted when running as root');
  }
  const target = await state.tree.prepareSlot(header.name, path);
  const type: NodeType =
    header.type === 'fifo'
      ? { kind: 'fifo' }
      : { kind: header.type === 'character-device' ? 'char' : 'block', major: header.devmajor, minor: header.devminor };
  // chmod follows symlinks: in a tree others change, the mode is set by mknod itself, on the new node.
  await makeNode(target, type, state.pinned ? modeOf(header) : undefined);
  await chownEntry(target, header, state);
  if (!state.pinned) await state.io.chmod(target, modeOf(header));
  await state.io.lutimes(target, header.mtime);
}
