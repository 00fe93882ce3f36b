/** Where extraction writes: each method checks or prepares a path and returns the path to use for it. */
export interface ExtractTree {
  /** Frees `path` for a new non-directory (replacing an earlier non-directory) and returns where to create it. */
  prepareSlot(entryName: string, path: string): Promise<string>;
  /** Makes `path` a real directory (kept if it exists, replacing a non-directory) and returns a path naming it. */
  prepareDirectory(entryName: string, path: string): Promise<string>;
  /** A path naming the existing, already extracted non-directory `target`, reached without following symlinks. */
  resolveHardlinkTarget(entryName: string, target: string): Promise<string>;
  /** Releases what the tree holds; the returned paths are invalid afterwards. */
  close(): Promise<void>;
}
