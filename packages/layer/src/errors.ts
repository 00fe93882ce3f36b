import { InvalidArgumentError } from '@berth/api';

/** A tar entry that would escape the layer root, write through a link or otherwise break the rules of safe extraction. */
export class UnsafeArchiveEntryError extends InvalidArgumentError {
  readonly entry: string;

  constructor(entry: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid tar entry ${JSON.stringify(entry)}: ${reason}`, options);
    this.entry = entry;
  }
}

/** An entry that would replace a directory with a non-directory or the reverse, where that is refused (Docker's noOverwriteDirNonDir). */
export class OverwriteConflictError extends UnsafeArchiveEntryError {
  constructor(
    entry: string,
    /** The entry's path relative to the extraction root. */
    readonly path: string,
    /** What is there: a directory (the entry is not one) or a non-directory (the entry is a directory). */
    readonly existingIsDirectory: boolean,
  ) {
    super(entry, existingIsDirectory ? 'cannot overwrite a directory with a non-directory' : 'cannot overwrite a non-directory with a directory');
  }
}

/** A failure a system call reported (it carries the call's name), not one of the code's own. */
export function isSyscallError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'syscall' in err;
}
