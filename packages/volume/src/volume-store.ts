import { chown, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@berth/api';
import { directorySize, mountPoints, type Owner } from '@berth/layer';
import { listFilter, pruneFilter, type FilterSubject } from './filters.js';
import { localMountOptions } from './local-driver.js';
import { readMetadata, writeMetadata, type VolumeMetadata } from './metadata.js';
import { mountDevice, unmountDevice } from './system-tools.js';
import { ANONYMOUS_LABEL, generateAnonymousName, validateVolumeName } from './names.js';
import type { CreateVolumeOptions, PruneResult, Volume, VolumeFilters } from './volume.js';

const DATA_DIR = '_data';

/** Compared as is, never resolved: the store's paths are canonical, as mountinfo's are. */
async function isMounted(path: string): Promise<boolean> {
  return (await mountPoints()).includes(path);
}

/** A volume created or destroyed, named as Docker's volume events name it. */
export interface VolumeEvent {
  action: 'create' | 'destroy';
  name: string;
  driver: string;
}

export interface VolumeStoreOptions {
  /** Told of each volume created (not one that already existed) or destroyed, for the engine's events. */
  onEvent?: (event: VolumeEvent) => void;
  /** Owner of each new volume's `_data` (a remapping daemon's container root, as moby's local driver does); default: root. */
  dataOwner?: Owner;
}

/** RFC 3339 to the second, as Docker shows CreatedAt. */
function toApiTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Named and anonymous volumes of the local driver under `<root>/<name>/{_data,metadata.json}`.
 * References (which containers use a volume) live in memory: the daemon re-registers them from its
 * containers at start, as moby does.
 */
export class VolumeStore {
  private readonly volumes = new Map<string, VolumeMetadata>();
  private readonly refs = new Map<string, Set<string>>();
  /** Containers that have a driver-mounted (type/device/o) volume active, so the last one unmounts it. */
  private readonly active = new Map<string, Set<string>>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly root: string,
    private readonly options: VolumeStoreOptions,
  ) {}

  static async open(root: string, options: VolumeStoreOptions = {}): Promise<VolumeStore> {
    await mkdir(root, { recursive: true, mode: 0o701 });
    // Canonical, so mount points compare equal to /proc/self/mountinfo before anything is deleted.
    const canonical = await realpath(root);
    const store = new VolumeStore(canonical, options);
    for (const entry of await readdir(canonical, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(canonical, entry.name);
      const metadata = await readMetadata(dir).catch(() => undefined);
      if (metadata) {
        store.volumes.set(entry.name, metadata);
        continue;
      }
      // Like moby's local driver, a `<name>/_data` without metadata (put there by hand) is still a volume.
      const data = await stat(join(dir, DATA_DIR)).catch(() => undefined);
      if (!data?.isDirectory()) continue;
      store.volumes.set(entry.name, {
        name: entry.name,
        driver: 'local',
        createdAt: toApiTime(data.mtime),
        labels: {},
        options: {},
      });
    }
    return store;
  }

  /** Store mutations run one at a time so concurrent creates and removes of one name cannot interleave. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  dataPath(name: string): string {
    return join(this.root, name, DATA_DIR);
  }

  /** Creates a volume, or returns the existing one of that name (as `docker volume create` does). */
  create(options: CreateVolumeOptions = {}): Promise<Volume> {
    return this.serialize(async () => {
      const anonymous = !options.name;
      const name = options.name || generateAnonymousName();
      validateVolumeName(name);
      const driver = options.driver || 'local';
      if (driver !== 'local') throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
      const existing = this.volumes.get(name);
      if (existing) return this.view(existing);
      const driverOpts = options.driverOpts ?? {};
      localMountOptions(driverOpts);
      const metadata: VolumeMetadata = {
        name,
        driver: 'local',
        createdAt: toApiTime(new Date()),
        labels: { ...(options.labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) },
        options: driverOpts,
      };
      const dir = join(this.root, name);
      await mkdir(join(dir, DATA_DIR), { recursive: true, mode: 0o755 });
      const owner = this.options.dataOwner;
      if (owner) await chown(join(dir, DATA_DIR), owner.uid, owner.gid);
      await writeMetadata(dir, metadata);
      this.volumes.set(name, metadata);
      this.emit('create', name);
      return this.view(metadata);
    });
  }

  has(name: string): boolean {
    return this.volumes.has(name);
  }

  get(name: string): Volume {
    return this.view(this.metadata(name));
  }

  isAnonymous(name: string): boolean {
    return Object.hasOwn(this.metadata(name).labels, ANONYMOUS_LABEL);
  }

  list(filters: VolumeFilters = {}): Volume[] {
    const matches = listFilter(filters);
    return [...this.volumes.values()].filter((m) => matches(this.subject(m))).map((m) => this.view(m));
  }

  /** Refuses while a container uses the volume; `force` only ignores a missing volume. */
  remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    return this.serialize(async () => {
      if (!this.volumes.has(name)) {
        if (options.force) return;
        throw new NotFoundError(`get ${name}: no such volume`);
      }
      await this.removeLocked(name);
    });
  }

  private async removeLocked(name: string): Promise<void> {
    const users = [...(this.refs.get(name) ?? [])];
    if (users.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    const data = this.dataPath(name);
    // Never recurse into a device or host directory the driver mounted there.
    if (await isMounted(data)) await unmountDevice(data);
    await rm(join(this.root, name), { recursive: true, force: true });
    this.volumes.delete(name);
    this.active.delete(name);
    this.emit('destroy', name);
  }

  private emit(action: VolumeEvent['action'], name: string): void {
    this.options.onEvent?.({ action, name, driver: 'local' });
  }

  /** Removes unused volumes: anonymous ones, or all with `all=true`, narrowed by label filters. */
  prune(filters: VolumeFilters = {}): Promise<PruneResult> {
    const matches = pruneFilter(filters, ANONYMOUS_LABEL);
    return this.serialize(async () => {
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const m of [...this.volumes.values()]) {
        if (!matches(this.subject(m))) continue;
        const size = localMountOptions(m.options) ? 0 : await directorySize(this.dataPath(m.name));
        await this.removeLocked(m.name);
        deleted.push(m.name);
        reclaimed += size;
      }
      return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
    });
  }

  /** Records that `containerId` uses the volume, so it cannot be removed or pruned. */
  ref(name: string, containerId: string): void {
    this.metadata(name);
    const users = this.refs.get(name) ?? new Set<string>();
    users.add(containerId);
    this.refs.set(name, users);
  }

  release(name: string, containerId: string): void {
    const users = this.refs.get(name);
    users?.delete(containerId);
    if (users?.size === 0) this.refs.delete(name);
  }

  users(name: string): string[] {
    return [...(this.refs.get(name) ?? [])];
  }

  /**
   * Makes the volume's data available for a starting container and returns the host path to bind:
   * a volume with driver options gets its device mounted by the first user.
   */
  mount(name: string, containerId: string): Promise<string> {
    return this.serialize(async () => {
      const m = this.metadata(name);
      const data = this.dataPath(name);
      const device = localMountOptions(m.options);
      if (!device) return data;
      const users = this.active.get(name) ?? new Set<string>();
      if (users.size === 0 && !(await isMounted(data))) await mountDevice(device.type, device.device, data, device.o);
      users.add(containerId);
      this.active.set(name, users);
      return data;
    });
  }

  /** The counterpart of `mount`, when the container stops; the last user unmounts the device. */
  unmount(name: string, containerId: string): Promise<void> {
    return this.serialize(async () => {
      const users = this.active.get(name);
      if (!users?.delete(containerId) || users.size > 0) return;
      this.active.delete(name);
      const data = this.dataPath(name);
      if (await isMounted(data)) await unmountDevice(data);
    });
  }

  /** Every volume with its size and number of users, for `system df`. */
  async usage(): Promise<Volume[]> {
    const result: Volume[] = [];
    for (const m of this.volumes.values()) {
      // A driver-mounted volume's data is the device's, not the host's disk usage; Docker reports -1.
      const size = localMountOptions(m.options) ? -1 : await directorySize(this.dataPath(m.name));
      result.push({ ...this.view(m), UsageData: { Size: size, RefCount: this.refs.get(m.name)?.size ?? 0 } });
    }
    return result;
  }

  /** True when the volume's directory holds nothing yet (copy-up fills only empty volumes). */
  async isEmpty(name: string): Promise<boolean> {
    this.metadata(name);
    const entries = await readdir(this.dataPath(name)).catch(() => []);
    return entries.length === 0;
  }

  private metadata(name: string): VolumeMetadata {
    if (name.includes('/')) throw new InvalidArgumentError(`invalid volume name: ${name}`);
    const m = this.volumes.get(name);
    if (!m) throw new NotFoundError(`get ${name}: no such volume`);
    return m;
  }

  private subject(m: VolumeMetadata): FilterSubject {
    return { name: m.name, driver: m.driver, labels: m.labels, inUse: (this.refs.get(m.name)?.size ?? 0) > 0 };
  }

  private view(m: VolumeMetadata): Volume {
    return {
      CreatedAt: m.createdAt,
      Driver: m.driver,
      Labels: m.labels,
      Mountpoint: this.dataPath(m.name),
      Name: m.name,
      Options: Object.keys(m.options).length > 0 ? m.options : null,
      Scope: 'local',
    };
  }
}

