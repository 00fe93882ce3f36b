import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '@berth/api';
import { writeFileAtomic } from '@berth/layer';
import type { ContainerRecord } from './record.js';

const RECORD_FILE = 'container.json';

/**
 * Containers in memory, persisted one file per container. Lookups accept a full ID, a name (with or
 * without the leading slash) or a unique ID prefix, in that order, as Docker does.
 */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly idByName = new Map<string, string>();

  private constructor(readonly root: string) {}

  static async open(root: string, onUnreadable: (dir: string, err: unknown) => void): Promise<ContainerStore> {
    await mkdir(root, { recursive: true, mode: 0o710 });
    const store = new ContainerStore(root);
    // Read synchronously: nothing is served yet, and a thousand small promise reads cost ten times as much.
    for (const entry of await readdir(root)) {
      try {
        store.index(JSON.parse(readFileSync(join(root, entry, RECORD_FILE), 'utf8')) as ContainerRecord);
      } catch (err) {
        onUnreadable(join(root, entry), err);
      }
    }
    return store;
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  isNameTaken(name: string): boolean {
    return this.idByName.has(name);
  }

  find(ref: string): ContainerRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.idByName.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw new NotFoundError(`No such container: ${ref} (multiple containers match this prefix)`);
    return matches.length === 1 ? this.byId.get(matches[0]!) : undefined;
  }

  get(ref: string): ContainerRecord {
    const record = this.find(ref);
    if (!record) throw new NotFoundError(`No such container: ${ref}`);
    return record;
  }

  /** Registers a new container; the name must be free. */
  async add(record: ContainerRecord): Promise<void> {
    const owner = this.idByName.get(record.name);
    if (owner) {
      throw new ConflictError(
        `Conflict. The container name "${record.name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    await mkdir(this.dirOf(record.id), { recursive: true, mode: 0o710 });
    this.index(record);
    await this.save(record);
  }

  /** Moves a container to a free name and persists it. */
  async rename(record: ContainerRecord, name: string): Promise<void> {
    const owner = this.idByName.get(name);
    if (owner) {
      throw new ConflictError(
        `Error when allocating new name: Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const oldName = record.name;
    this.idByName.delete(oldName);
    this.idByName.set(name, record.id);
    record.name = name;
    try {
      await this.save(record);
    } catch (err) {
      this.idByName.delete(name);
      this.idByName.set(oldName, record.id);
      record.name = oldName;
      throw err;
    }
  }

  async save(record: ContainerRecord): Promise<void> {
    await writeFileAtomic(join(this.dirOf(record.id), RECORD_FILE), JSON.stringify(record));
  }

  async delete(id: string): Promise<void> {
    const record = this.byId.get(id);
    if (!record) return;
    this.byId.delete(id);
    this.idByName.delete(record.name);
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  private index(record: ContainerRecord): void {
    this.byId.set(record.id, record);
    this.idByName.set(record.name, record.id);
  }
}
