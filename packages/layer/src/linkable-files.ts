import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Header } from 'tar-stream';
import { ConflictError } from '@berth/api';
import { isSyscallError } from './errors.js';
import { hasXattrs } from './extract.js';
import { hasAnyXattr, hasUserInodeFlags, linkOpenFile } from './syscalls.js';

/** Smaller files are written: their bytes cost less than holding them open to link them. */
const MIN_LINKED_BYTES = 64 * 1024;
/** Files held open at once: the walk runs ahead of the extraction by what the streams between them buffer. */
const MAX_OFFERED = 64;

/**
 * A walked file's open handle, shared by the walk (which may still be reading it) and the extraction (which
 * links it or declines): closed once both let go.
 */
class SharedHandle {
  private holders = 2;

  constructor(
    readonly handle: FileHandle,
    readonly stats: Stats,
  ) {}

  async release(): Promise<void> {
    if (this.holders === 0) return;
    if (--this.holders === 0) await this.handle.close();
  }
}

/** A file linked into the extraction; its content is still to be read from the archive, then confirmed unchanged. */
export interface LinkedFile {
  /** Throws a ConflictError when the file was written to while the archive read it. */
  confirm(): Promise<void>;
  close(): Promise<void>;
}

function sameFile(now: Stats, walked: Stats, size: number): boolean {
  return (
    now.ino === walked.ino &&
    now.dev === walked.dev &&
    now.nlink === 1 &&
    now.size === walked.size &&
    now.size === size &&
    now.mtimeMs === walked.mtimeMs &&
    now.ctimeMs === walked.ctimeMs
  );
}

/**
 * Regular files of a tree being archived that the extraction of that very archive may hardlink instead of
 * writing again: the upper dir of a container marked for removal becoming a layer, whose files nothing else
 * will use. The archive still carries every byte (the layer's diffID and kept tar come from it); a file is
 * linked only while it is the inode the walk opened, unchanged, with no other link, no xattr (overlay's own
 * metadata, SELinux labels and capabilities live there) and no inode flag a user sets, so the layer holds
 * what extracting the archive would have written. Linking goes through the walk's open descriptor, never a
 * path a container could have changed meanwhile.
 */
export class LinkableFiles {
  private readonly offered = new Map<string, SharedHandle>();
  private closed = false;

  /**
   * The walk offers a regular file it opened (`name` as archived, `stats` as walked). When it is taken, the
   * walk gets the function to call, instead of closing the handle, once it has read it.
   */
  offer(name: string, handle: FileHandle, stats: Stats): (() => Promise<void>) | undefined {
    if (this.closed || this.offered.size >= MAX_OFFERED || !stats.isFile() || stats.nlink !== 1 || stats.size < MIN_LINKED_BYTES) return undefined;
    // A `.wh.` name becomes a whiteout when extracted: it would never be taken, only hold a place.
    if (this.offered.has(name) || posix.basename(name).startsWith('.wh.')) return undefined;
    try {
      if (hasAnyXattr(handle.fd) || hasUserInodeFlags(handle.fd)) return undefined;
    } catch (err) {
      if (isSyscallError(err)) return undefined;
      throw err;
    }
    const shared = new SharedHandle(handle, stats);
    this.offered.set(name, shared);
    return () => shared.release();
  }

  /**
   * Links the file of the archive's entry `header` at `target`, a free slot in the tree being extracted, when it
   * was offered and is as the walk found it, and the entry asks for nothing a link would not give (xattrs);
   * undefined otherwise (the caller writes it).
   */
  async link(header: Header, target: string): Promise<LinkedFile | undefined> {
    const { name } = header;
    const shared = this.offered.get(name);
    if (shared === undefined) return undefined;
    this.offered.delete(name);
    const { handle, stats } = shared;
    let linked = false;
    try {
      if (!hasXattrs(header) && sameFile(await handle.stat(), stats, header.size ?? 0)) {
        linkOpenFile(handle.fd, target);
        linked = true;
      }
    } catch (err) {
      // Not linkable here (another filesystem, no CAP_DAC_READ_SEARCH): written instead.
      if (!isSyscallError(err)) throw err;
    } finally {
      if (!linked) await shared.release();
    }
    if (!linked) return undefined;
    let held = true;
    return {
      async confirm() {
        const now = await handle.stat();
        // The link itself moved ctime; a write moves mtime or the size.
        if (now.size !== stats.size || now.mtimeMs !== stats.mtimeMs) throw new ConflictError(`${name} changed while it was committed`);
      },
      async close() {
        if (!held) return;
        held = false;
        await shared.release();
      },
    };
  }

  /** Lets go of what was offered and not taken (the walk closes its own share); later offers are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const left = [...this.offered.values()];
    this.offered.clear();
    await Promise.all(left.map((shared) => shared.release().catch(() => undefined)));
  }
}
