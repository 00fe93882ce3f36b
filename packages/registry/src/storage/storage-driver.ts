import type { Readable } from 'node:stream';

/**
 * Where the registry keeps its files: a tree of paths such as
 * `/docker/registry/v2/blobs/sha256/ab/abcd…/data`, the Go registry's layout, so an existing data
 * directory serves as is. Paths are absolute within the driver, `/`-separated, without `..`.
 * The filesystem driver is the default; an S3 driver implements the same interface.
 */
export interface StorageDriver {
  readonly name: string;
  /** A small object whole (links, manifests); PathNotFoundError when absent. */
  getContent(path: string): Promise<Buffer>;
  /** Writes a small object atomically: readers see the old content or the new, never a part. */
  putContent(path: string, content: Buffer): Promise<void>;
  /** The object's bytes from `offset`, `length` of them (to the end when absent); PathNotFoundError when absent. */
  reader(path: string, offset?: number, length?: number): Promise<Readable>;
  /**
   * Appends a stream to an object (created empty when absent) and resolves with its new size; used
   * for upload data, which becomes visible only when moved into place.
   */
  append(path: string, data: Readable): Promise<number>;
  /** Size and modification time, or undefined when nothing is at the path. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** The names of a directory's entries; [] when absent. */
  list(path: string): Promise<string[]>;
  /**
   * Moves an object into place, replacing what is there, or a directory with everything under it: a
   * rename on a filesystem; on S3 each object is copied, then deleted, so it is at one place or both.
   */
  move(source: string, destination: string): Promise<void>;
  /** Removes an object or a whole directory; nothing there is fine. */
  delete(path: string): Promise<void>;
}

export interface FileInfo {
  size: number;
  modified: Date;
  isDirectory: boolean;
}

export class PathNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`path not found: ${path}`);
    this.name = 'PathNotFoundError';
  }
}

/** A path a driver refuses: relative, or with a `..` segment, so nothing reaches outside the driver's root. */
export class InvalidPathError extends Error {
  constructor(readonly path: string) {
    super(`invalid storage path: ${JSON.stringify(path)}`);
    this.name = 'InvalidPathError';
  }
}
