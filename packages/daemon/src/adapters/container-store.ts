import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '@berth/api';
import { detachMountsUnder, fsyncDirectory, isTempFileName, writeFileAtomic } from '@berth/layer';
import type { ContainerRecord } from '../container/record.js';
import { bundleDirIn } from '../container/task-paths.js';

const RECORD_FILE = 'container.json';
/**
 * The anonymous volumes a create is making, written before each is made and removed once the record is:
 * what a create the daemon died in leaves to remove (its volumes belong to no container).
 */
const PENDING_VOLUMES_FILE = 'anonymous-volumes.json';
/** Where a removed container's dir goes before it is deleted, so none is ever half-deleted under its ID. */
const TRASH_DIR = '.trash';

const CONTAINER_ID = /^[a-f0-9]{64}$/;

/**
 * Removes the temp files of atomic writes the daemon died in (the record, the etc files a start writes, the
 * bundle's config.json); the files themselves are whole. The bundle of a container never started again (a
 * killed build's step container) would otherwise keep its temp file for good.
 */
function removeTempFiles(dir: string): void {
  for (const at of [dir, bundleDirIn(dir)]) {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const name of names) if (isTempFileName(name)) rmSync(join(at, name), { force: true });
  }
}

/** A dir of the store: root's, 0710, searchable by `group` when given (see `ContainerStore.open`). */
async function makeSearchableDir(path: string, group: number | undefined, recursive: boolean): Promise<void> {
  await mkdir(path, { mode: 0o710, recursive });
  if (group !== undefined) await chown(path, 0, group);
}

/**
 * Deletes a removed container's dir. Whatever is still mounted in it (an idmapped layer a copy attached
 * while the container was being removed, or a crash left) is detached first: the removal must not
 * reach through a mount into an image's layer.
 */
async function removeContainerDir(dir: string): Promise<void> {
  await detachMountsUnder(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * A container's dir holding nothing but temp files, and no record: `add` makes the dir, then writes the
 * record atomically, so this is a create the daemon died in, never listed. Anything else in a dir without
 * its record (an `upper/` with the user's data) is damage to report, never to delete.
 */
function isUnfinishedCreate(dir: string, entry: string, err: unknown): boolean {
  if (!CONTAINER_ID.test(entry) || (err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  return readdirSync(dir).every((name) => isTempFileName(name) || name === PENDING_VOLUMES_FILE);
}

/** The anonymous volumes an unfinished create was making (none when it died before the first). */
function pendingVolumesOf(dir: string): string[] {
  try {
    return JSON.parse(readFileSync(join(dir, PENDING_VOLUMES_FILE), 'utf8')) as string[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Containers in memory, persisted one file per container. Lookups accept a full ID, a name (with or
 * without the leading slash) or a unique ID prefix, in that order, as Docker does. A new container or
 * name is shown only once it is on disk (a failed `add` or `rename` leaves memory as it was); a failed
 * `save` leaves the previous record whole on disk and the error to the caller.
 */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly idByName = new Map<string, string>();
  /** Anonymous volumes made by creates the daemon died in, found at open: the daemon removes them. */
  readonly abandonedVolumes: string[] = [];
  /** Deletions of trashed dirs still under way (see `delete`). */
  private readonly emptying = new Set<Promise<void>>();
  /** Told of a deletion after a removal that failed (its dir stays in the trash for the next start). */
  onDeletionFailed: (dir: string, err: unknown) => void = () => undefined;

  private constructor(
    readonly root: string,
    private readonly group: number | undefined,
  ) {}

  /**
   * `group`: the group given search access to the containers' dirs (a remapping daemon's container root
   * group, as dockerd does), so a remapped container reaches its root and the files bound into it.
   */
  static async open(root: string, onUnreadable: (dir: string, err: unknown) => void, group?: number): Promise<ContainerStore> {
    await makeSearchableDir(root, group, true);
    await mkdir(join(root, TRASH_DIR), { recursive: true, mode: 0o700 });
    const store = new ContainerStore(root, group);
    // Read synchronously: nothing is served yet, and a thousand small promise reads cost ten times as much.
    for (const entry of await readdir(root)) {
      if (entry === TRASH_DIR) continue;
      const dir = join(root, entry);
      let record: ContainerRecord;
      try {
        record = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as ContainerRecord;
      } catch (err) {
        await store.discardUnfinished(dir, entry, err, onUnreadable);
        continue;
      }
      store.index(record);
      // A temp file that cannot be removed is litter, not a reason to lose the container.
      try {
        removeTempFiles(dir);
      } catch {
        // Left for the next start.
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

  /** Makes the dir of a container being created, before its record: where `notePendingVolumes` writes. */
  async reserve(id: string): Promise<void> {
    await makeSearchableDir(this.dirOf(id), this.group, false);
  }

  /** Records the anonymous volumes a create is about to make, so a crash before its record leaves none behind. */
  async notePendingVolumes(id: string, names: string[]): Promise<void> {
    await writeFileAtomic(join(this.dirOf(id), PENDING_VOLUMES_FILE), JSON.stringify(names));
  }

  /** Removes the dir of a create that failed before `add`. */
  async unreserve(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /**
   * Registers a new container; the name must be free. The name is reserved at once (a concurrent
   * create cannot take it), the container is listed only once its record is on disk, and a failed
   * write leaves neither its directory nor its name behind.
   */
  async add(record: ContainerRecord): Promise<void> {
    const owner = this.idByName.get(record.name);
    if (owner) {
      throw new ConflictError(
        `Conflict. The container name "${record.name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    this.idByName.set(record.name, record.id);
    try {
      // The dir may have been reserved (a create making anonymous volumes first).
      await makeSearchableDir(this.dirOf(record.id), this.group, true);
      await this.save(record).catch(async (err: unknown) => {
        await rm(this.dirOf(record.id), { recursive: true, force: true });
        throw err;
      });
      // The record now owns the volumes: the list of pending ones is done with.
      await rm(join(this.dirOf(record.id), PENDING_VOLUMES_FILE), { force: true });
    } catch (err) {
      this.idByName.delete(record.name);
      throw err;
    }
    this.byId.set(record.id, record);
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
      if (this.idByName.get(name) === record.id) this.idByName.delete(name);
      this.idByName.set(oldName, record.id);
      record.name = oldName;
      throw err;
    }
  }

  async save(record: ContainerRecord): Promise<void> {
    await writeFileAtomic(join(this.dirOf(record.id), RECORD_FILE), JSON.stringify(record));
  }

  /**
   * Removes a container: its dir is renamed into the trash first (one atomic step, after which the
   * container is gone even if the daemon dies), then its files are deleted, after this returns. A failed
   * rename leaves it listed.
   */
  async delete(id: string, { durable = true }: { durable?: boolean } = {}): Promise<void> {
    const record = this.byId.get(id);
    if (!record) return;
    const doomed = join(this.root, TRASH_DIR, `${id}-${randomBytes(4).toString('hex')}`);
    const moved = await rename(this.dirOf(id), doomed).then(
      () => true,
      (err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        return false;
      },
    );
    if (moved && durable) await fsyncDirectory(this.root);
    this.byId.delete(id);
    // A removal undone by a power loss may find its name taken by a container created since (see `index`).
    if (this.idByName.get(record.name) === id) this.idByName.delete(record.name);
    // Once in the trash the container is gone (the next start empties what is left there), so the files go
    // after the caller is told: a removal's wait answers without waiting for the disk.
    // One that fails stays in the trash for the next start.
    const emptying = removeContainerDir(doomed).catch((err: unknown) => this.onDeletionFailed(doomed, err));
    this.emptying.add(emptying);
    void emptying.finally(() => this.emptying.delete(emptying));
  }

  /** Resolves once the files of the containers deleted so far are gone. */
  async deletionsDone(): Promise<void> {
    await Promise.all([...this.emptying]);
  }

  /** Deletes what removals and creates interrupted by a crash left in the trash; slow for big dirs, so run after start. */
  async emptyTrash(): Promise<void> {
    const trash = join(this.root, TRASH_DIR);
    for (const name of await readdir(trash)) await removeContainerDir(join(trash, name));
  }

  /** Trashes the dir of a create the daemon died in; anything else unreadable (or a failed rename) is reported and kept. */
  private async discardUnfinished(dir: string, entry: string, err: unknown, onUnreadable: (dir: string, err: unknown) => void): Promise<void> {
    try {
      if (!isUnfinishedCreate(dir, entry, err)) {
        onUnreadable(dir, err);
        return;
      }
      const pending = pendingVolumesOf(dir);
      await rename(dir, join(this.root, TRASH_DIR, `${entry}-${randomBytes(4).toString('hex')}`));
      this.abandonedVolumes.push(...pending);
    } catch (failure) {
      onUnreadable(dir, failure);
    }
  }

  /**
   * A removal does not wait for its trash rename to reach the disk, so after a power loss a container being
   * removed may come back beside a newer container given its name: the name stays the live one's.
   */
  private index(record: ContainerRecord): void {
    this.byId.set(record.id, record);
    const holder = this.byId.get(this.idByName.get(record.name) ?? '');
    if (record.removal && holder && !holder.removal) return;
    this.idByName.set(record.name, record.id);
  }
}
