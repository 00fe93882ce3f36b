import { mkdir } from 'node:fs/promises';
import { ConflictError, InvalidArgumentError } from '@berth/api';
import { mergeTmpfsOptions, type RuntimeMount } from '@berth/oci';
import { ANONYMOUS_LABEL, cleanPath, copyImageContent, generateAnonymousName, parseBind, specFromApiMount, type MountSpec, type VolumeStore } from '@berth/volume';
import { pathExists } from '../util/path-exists.js';
import type { EngineEvents } from '../events/engine-events.js';
import type { ContainerMount } from '../container/container-mount.js';
import type { ContainerRecord } from '../container/record.js';
import type { ContainerMounts, MountRequest } from '../ports.js';

/** A `-v` bind source is made as a directory when absent; an existing one, a file too (`-v /etc/hostname:/h`), is used as it is. */
async function createMissingSource(source: string): Promise<void> {
  if (await pathExists(source)) return;
  // A dangling symlink or a path under a file cannot be made: a bad -v, refused in moby's words.
  await mkdir(source, { recursive: true, mode: 0o755 }).catch((err: Error) => {
    throw new InvalidArgumentError(`error while creating mount source path '${source}': ${err.message}`);
  });
}

/** `--volumes-from id[:ro|:rw]`: the other container's mounts, with the access mode optionally overridden. */
function inheritedMounts(entry: string, lookup: MountRequest['lookup']): ContainerMount[] {
  const [ref = '', mode, ...rest] = entry.split(':');
  if (rest.length > 0 || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new InvalidArgumentError(`invalid mode for volumes-from: ${entry}`);
  }
  return (lookup(ref).mounts ?? [])
    .filter((m) => m.type !== 'tmpfs')
    .map((m) => (mode === undefined ? { ...m } : { ...m, readOnly: mode === 'ro', mode }));
}

/**
 * The container side of volumes: plans a container's mounts at create (creating the volumes it names
 * and the anonymous ones it needs), turns them into OCI mounts at start, and releases them at remove.
 * Destinations stay container paths: runc resolves them inside the rootfs.
 */
/** The ContainerMounts port over the volume store: volumes, binds and tmpfs mounts of containers. */
export class VolumeMounts implements ContainerMounts {
  /** `events` hears of each volume mounted for a starting container and unmounted after it stopped, as moby reports them. */
  constructor(
    private readonly volumes: VolumeStore,
    private readonly events: EngineEvents,
  ) {}

  /**
   * Re-registers which containers use which volumes after a daemon start; running containers count as
   * users of the devices still mounted for them, so their exit unmounts them.
   */
  async restore(records: readonly ContainerRecord[]): Promise<void> {
    for (const c of records) {
      for (const m of c.mounts ?? []) {
        if (m.type !== 'volume' || !m.name || !this.volumes.has(m.name)) continue;
        this.volumes.ref(m.name, c.id);
        // A device that cannot be mounted now is reported when the container next starts, not here.
        if (c.state.running) await this.volumes.mount(m.name, c.id).catch(() => undefined);
      }
    }
  }

  async plan(request: MountRequest): Promise<ContainerMount[]> {
    const hc = request.hostConfig;
    const byDestination = new Map<string, ContainerMount>();
    for (const entry of hc.VolumesFrom ?? []) {
      for (const m of inheritedMounts(entry, request.lookup)) byDestination.set(m.destination, m);
    }
    // Validate every spec before creating anything, so a bad one leaves no volume behind.
    const specs = [...(hc.Binds ?? []).map(parseBind), ...(hc.Mounts ?? []).map(specFromApiMount)];
    const explicit = new Set<string>();
    for (const spec of specs) {
      if (explicit.has(spec.target)) throw new InvalidArgumentError(`Duplicate mount point: ${spec.target}`);
      explicit.add(spec.target);
      if (spec.type === 'bind' && !spec.createSource && !(await pathExists(spec.source))) {
        throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${spec.source}`);
      }
    }
    const tmpfs = new Set(Object.keys(hc.Tmpfs ?? {}).map(cleanPath));
    const implicit = Object.keys(request.volumes)
      .map(cleanPath)
      .filter((target) => !explicit.has(target) && !tmpfs.has(target) && !byDestination.has(target))
      .map(parseBind);
    const made: ContainerMount[] = [];
    try {
      for (const spec of [...specs, ...implicit]) {
        const mount = await this.materialize(spec, request.beforeAnonymous);
        made.push(mount);
        byDestination.set(spec.target, mount);
      }
    } catch (err) {
      // Anonymous volumes made for a container that will not exist would only be litter.
      for (const m of made) if (m.anonymous && m.name) await this.volumes.remove(m.name).catch(() => undefined);
      throw err;
    }
    const mounts = [...byDestination.values()];
    for (const m of mounts) if (m.type === 'volume' && m.name) this.volumes.ref(m.name, request.containerId);
    return mounts;
  }

  /** Creates what a spec needs on the host: its volume, or a missing `-v` bind source directory. */
  private async materialize(spec: MountSpec, beforeAnonymous: MountRequest['beforeAnonymous']): Promise<ContainerMount> {
    const base = {
      destination: spec.target,
      readOnly: spec.readOnly,
      mode: spec.mode,
      propagation: spec.propagation,
      noCopy: spec.noCopy,
      anonymous: false,
      createSource: spec.createSource,
    };
    if (spec.type === 'tmpfs') return { ...base, type: 'tmpfs', source: '', tmpfsOptions: spec.tmpfsOptions };
    if (spec.type === 'bind') {
      if (spec.createSource) await createMissingSource(spec.source);
      return { ...base, type: 'bind', source: spec.source };
    }
    if (spec.source !== '') {
      const volume = await this.volumes.create({ name: spec.source, labels: spec.volumeLabels, driverOpts: spec.driverOpts });
      return { ...base, type: 'volume', name: volume.Name, source: volume.Mountpoint };
    }
    // Named here, not by the store, so that the name is known (and recorded) before the volume exists.
    const name = generateAnonymousName();
    await beforeAnonymous?.(name);
    const volume = await this.volumes.create({ name, labels: { ...spec.volumeLabels, [ANONYMOUS_LABEL]: '' }, driverOpts: spec.driverOpts });
    return { ...base, type: 'volume', name: volume.Name, source: volume.Mountpoint, anonymous: true };
  }

  /**
   * The OCI mounts for a starting container; empty volumes are first seeded from the image (copy-up).
   * When it fails, the caller's `deactivate` (a failed start's cleanup) undoes what it mounted.
   */
  async runtimeMounts(c: ContainerRecord, rootfs: string): Promise<RuntimeMount[]> {
    const result: RuntimeMount[] = [];
    for (const m of c.mounts ?? []) result.push(await this.runtimeMount(c, m, rootfs));
    return result;
  }

  private async runtimeMount(c: ContainerRecord, m: ContainerMount, rootfs: string): Promise<RuntimeMount> {
    const ro = m.readOnly ? ['ro'] : [];
    if (m.type === 'tmpfs') {
      return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', ...(m.tmpfsOptions ?? []), ...ro]) };
    }
    if (m.type === 'bind') {
      // Like moby, a `-v` source removed since create is made again; a `--mount` one is an error.
      if (m.createSource) await createMissingSource(m.source);
      if (!(await pathExists(m.source))) {
        throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
      }
      return { destination: m.destination, type: 'bind', source: m.source, options: ['rbind', m.propagation || 'rprivate', ...ro] };
    }
    const name = m.name ?? '';
    const data = await this.volumes.mount(name, c.id);
    if (!m.noCopy && (await this.volumes.isEmpty(name))) {
      await copyImageContent(rootfs, m.destination, data);
    }
    // A volume's propagation is always empty in moby's event (only binds have one).
    const attributes = { driver: this.volumes.get(name).Driver, container: c.id, destination: m.destination, 'read/write': String(!m.readOnly), propagation: '' };
    this.events.volume('mount', name, attributes);
    return { destination: m.destination, type: 'bind', source: data, options: ['rbind', 'rprivate', ...ro] };
  }

  /** After the container stopped: volumes with a mounted device are unmounted by their last user. */
  async deactivate(c: ContainerRecord): Promise<void> {
    for (const m of c.mounts ?? []) {
      if (m.type !== 'volume' || !m.name || !this.volumes.has(m.name)) continue;
      await this.volumes.unmount(m.name, c.id);
      this.events.volume('unmount', m.name, { driver: this.volumes.get(m.name).Driver, container: c.id });
    }
  }

  /** On container removal: drops its references and, with `removeAnonymous`, its anonymous volumes. */
  async release(c: ContainerRecord, removeAnonymous: boolean): Promise<void> {
    for (const m of c.mounts ?? []) {
      if (m.type !== 'volume' || !m.name || !this.volumes.has(m.name)) continue;
      this.volumes.release(m.name, c.id);
      if (!removeAnonymous || !m.anonymous) continue;
      // Another container may still use it (--volumes-from); that is not an error, as in moby.
      await this.volumes.remove(m.name).catch((err: unknown) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    }
  }
}
