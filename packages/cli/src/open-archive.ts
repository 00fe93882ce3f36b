import { open } from 'node:fs/promises';
import { InvalidArgumentError } from '@berth/api';
import { systemMessage } from './go-errors.js';

/** Opens an input archive up front so a bad path fails with docker's wording before anything is sent. */
export async function openArchive(path: string): ReturnType<typeof open> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw new InvalidArgumentError(`open ${path}: ${systemMessage(err)}`, { cause: err });
  }
}
