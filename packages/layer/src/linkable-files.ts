import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ConflictError } from '@berth/api';
import { hasAnyXattr, linkOpenFile } from './syscalls.js';

/** Smaller files are written: their bytes cost less than holding them open to link them. */
const MIN_LINKED_BYTES = 64 * 1024;
/** Files held open at once: the walk runs ahead of the extraction by what the streams between them buffer. */
const MAX_OFFERED = 64;

interface Offered {
  handle: FileHandle;
  stats: Stats;
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
 * writing again: a throwaway container's upper dir becoming a layer, whose files nothing else will use.
 * The archive still carries every byte (the layer's diffID and kept tar come from it); a file is linked
 * only while it is the inode the walk opened, unchanged, with no other link and no xattr (overlay's own
 * metadata, SELinux labels and capabilities all live there), so the layer holds what extracting the
 * archive would have written. Linking goes through the walk's open descriptor, never a path a container
 * could have changed meanwhile.
 */
export class LinkableFiles {
  private readonly offered = new Map<string, Offered>();
  private closed = false;

  /**
   * The walk offers a regular file it opened (`name` as archived, `stats` as walked). True when it is
   * taken: the handle is then this object's to close.
   */
  offer(name: string, handle: FileHandle, stats: Stats): boolean {
    if (this.closed || this.offered.size >= MAX_OFFERED || !stats.isFile() || stats.nlink !== 1 || stats.size < MIN_LINKED_BYTES) return false;
    if (this.offered.has(name) || hasAnyXattr(handle.fd)) return false;
    this.offered.set(name, { handle, stats });
    return true;
  }

  /**
   * Links the file archived as `name` (an entry of `size` bytes) at `target`, a free slot in the tree being
   * extracted, when it was offered and is as the walk found it; undefined otherwise (the caller writes it).
   */
  async link(name: string, target: string, size: number): Promise<LinkedFile | undefined> {
    const offered = this.offered.get(name);
    if (offered === undefined) return undefined;
    this.offered.delete(name);
    const { handle, stats } = offered;
    let linked = false;
    try {
      if (sameFile(await handle.stat(), stats, size)) {
        linkOpenFile(handle.fd, target);
        linked = true;
      }
    } catch (err) {
      // Not linkable here (another filesystem, no CAP_DAC_READ_SEARCH): written instead.
      if (!(err instanceof Error && 'syscall' in err)) throw err;
    } finally {
      if (!linked) await handle.close();
    }
    if (!linked) return undefined;
    let open = true;
    return {
      async confirm() {
        const now = await handle.stat();
        // The link itself moved ctime; a write moves mtime or the size.
        if (now.size !== stats.size || now.mtimeMs !== stats.mtimeMs) throw new ConflictError(`${name} changed while it was committed`);
      },
      async close() {
        if (!open) return;
        open = false;
        await handle.close();
      },
    };
  }

  /** Closes what was offered and not linked; later offers are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const left = [...this.offered.values()];
    this.offered.clear();
    await Promise.all(left.map(({ handle }) => handle.close().catch(() => undefined)));
  }
}
