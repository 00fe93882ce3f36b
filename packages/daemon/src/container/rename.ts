import { InvalidArgumentError } from '@berth/api';
import type { ContainerRepository } from '../ports.js';
import { normalizeContainerName } from './ids.js';
import type { ContainerRecord } from './record.js';

/** Gives a container a new name; returns the old one (with its slash). A taken name is a 409. */
export async function renameContainer(store: ContainerRepository, c: ContainerRecord, newName: string): Promise<string> {
  if (!newName) throw new InvalidArgumentError('Neither old nor new names may be empty');
  const name = normalizeContainerName(newName);
  if (name === c.name) throw new InvalidArgumentError('Renaming a container with the same name as its current name');
  const oldName = c.name;
  await store.rename(c, name);
  return oldName;
}
