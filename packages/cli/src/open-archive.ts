import { open } from 'node:fs/promises';
import { InvalidArgumentError } from '@berth/api';

/** Opens an input archive up front so a bad path fails with docker's wording before anything is sent. */
export async function openArchive(path: string): ReturnType<typeof open> {
  try {
    return await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(code === 'ENOENT' ? `open ${path}: no such file or directory` : (err as Error).message, { cause: err });
  }
}
