import { InvalidArgumentError } from '@berth/api';

/** A tar entry that would escape the layer root, write through a link or otherwise break the rules of safe extraction. */
export class UnsafeArchiveEntryError extends InvalidArgumentError {
  readonly entry: string;

  constructor(entry: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid tar entry ${JSON.stringify(entry)}: ${reason}`, options);
    this.entry = entry;
  }
}
