import { lstat, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '@berth/api';
import { extractTar } from '@berth/layer';
import type { ContainerRootfs } from '../ports.js';
import type { ContainerStore } from './container-store.js';
import { containerChanges, type Change } from './changes.js';
import { ContainerFs, type FsMount } from './container-fs.js';
import { etcFilePaths } from './etc-files.js';
import { pinDirectory } from './pinned-dir.js';
import { goFileMode, type PathStat } from './path-stat.js';
import type { ContainerRecord } from './record.js';
import { treeTar } from './tree-tar.js';
import { KeyedLock } from '../util/keyed-lock.js';

export interface ArchiveServiceOptions {
  store: ContainerStore;
  rootfs: ContainerRootfs;
  /** The image layers under a container's upper dir, top first. */
  lowerDirs(chainId: string): string[];
  log: { warn(msg: string): void };
}

/** A container root in use; `release` unmounts it again if it was mounted for this use. */
interface RootLease {
  fs: ContainerFs;
  record: ContainerRecord;
  release(): Promise<void>;
}

/** `docker cp`, `docker export` and `docker diff`: a container's files, running or not. */
export class ArchiveService {
  /** Uses of container roots; a stopped container's root is unmounted after the last one. */
  private readonly leases = new Map<string, number>();
  private readonly mountLock = new KeyedLock();

  constructor(private readonly o: ArchiveServiceOptions) {}

  async stat(ref: string, path: string): Promise<PathStat> {
    const lease = await this.lease(ref);
    try {
      return await this.statIn(lease, path);
    } finally {
      await lease.release();
    }
  }

  /** The tar of `path` (named by its last component) and its stat; the root stays mounted until the tar ends. */
  async get(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    const lease = await this.lease(ref);
    try {
      const stat = await this.statIn(lease, path);
      const target = await lease.fs.resolveKeepingLast(path);
      const mounts = lease.fs.mountsBelow(target.container);
      if (target.relative === '') {
        // The top is a root the engine owns (the container root or a mount source).
        const tar = treeTar(target.host, stat.name, mounts);
        tar.once('close', () => this.releaseAfterStream(lease));
        return { stat, tar };
      }
      // The parent is held open, so a running container cannot swap a directory on the way for a symlink.
      const parent = await pinDirectory(target.base, posix.dirname(target.relative)).catch((err: unknown) => {
        throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? notFound(path, lease.record) : err;
      });
      const tar = treeTar(`${parent.path}/${posix.basename(target.relative)}`, stat.name, mounts, true);
      tar.once('close', () => this.releaseAfterStream(lease, parent.close()));
      return { stat, tar };
    } catch (err) {
      await lease.release();
      throw err;
    }
  }

  /**
   * Extracts a tar (plain or gzip) into the directory `path` leads to, safely (see @berth/layer extractTar).
   * The directory is opened without following symlinks and extracted into through its descriptor, so a
   * running container cannot redirect the copy by swapping a directory on the path for a symlink.
   */
  async put(ref: string, path: string, tar: Readable): Promise<void> {
    const lease = await this.lease(ref);
    try {
      const dir = await lease.fs.resolve(path);
      const pinned = await pinDirectory(dir.base, dir.relative).catch((err: unknown) => {
        throw extractionPointError(err, path, lease.record);
      });
      try {
        if (dir.mount?.readOnly) throw new InvalidArgumentError('mounted volume is marked read-only');
        if (!dir.mount && lease.record.hostConfig.ReadonlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
        await extractTar(tar, pinned.path, { pinned: true });
      } finally {
        await pinned.close();
      }
    } finally {
      await lease.release();
    }
  }

  /** The whole merged root as a tar (`docker export`). */
  async export(ref: string): Promise<Readable> {
    const lease = await this.lease(ref);
    const tar = treeTar(lease.fs.root, '');
    tar.once('close', () => this.releaseAfterStream(lease));
    return tar;
  }

  /** The changes in the container's read-write layer (`docker diff`). */
  async changes(ref: string): Promise<Change[]> {
    const record = this.o.store.get(ref);
    const dir = this.o.store.dirOf(record.id);
    const lowers = record.imageChainId ? this.o.lowerDirs(record.imageChainId) : [];
    return containerChanges(join(dir, 'upper'), lowers, await runtimeMountPoints(join(dir, 'bundle', 'config.json')));
  }

  /** For a stream's 'close' handler, where no caller is left to see a failure. */
  private releaseAfterStream(lease: RootLease, first: Promise<void> = Promise.resolve()): void {
    first
      .finally(() => lease.release())
      .catch((err: unknown) => this.o.log.warn(`releasing the root of container ${lease.record.id}: ${String(err)}`));
  }

  private async statIn(lease: RootLease, path: string): Promise<PathStat> {
    if (!path) throw new InvalidArgumentError('Path cannot be empty');
    const target = await lease.fs.resolveKeepingLast(path);
    const stats = await lstat(target.host).catch(() => null);
    if (!stats) throw notFound(path, lease.record);
    const linkTarget = stats.isSymbolicLink() ? (await lease.fs.resolve(target.container)).container : '';
    const cleaned = posix.normalize(`/${path}`);
    return { name: posix.basename(cleaned) || '/', size: stats.size, mode: goFileMode(stats), mtime: stats.mtime.toISOString(), linkTarget };
  }

  private async lease(ref: string): Promise<RootLease> {
    const record = this.o.store.get(ref);
    const dir = this.o.store.dirOf(record.id);
    // Mounts and unmounts of one container's root never interleave, or a release could pull the root from under a new lease.
    const root = await this.mountLock.run(record.id, async () => {
      this.leases.set(record.id, (this.leases.get(record.id) ?? 0) + 1);
      try {
        return await this.o.rootfs.mountContainerRoot(dir, record.imageChainId);
      } catch (err) {
        await this.drop(record.id, dir);
        throw err;
      }
    });
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.mountLock.run(record.id, () => this.drop(record.id, dir));
    };
    try {
      return { fs: new ContainerFs(root, await visibleMounts(record, dir)), record, release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  private async drop(id: string, dir: string): Promise<void> {
    const remaining = (this.leases.get(id) ?? 1) - 1;
    if (remaining > 0) {
      this.leases.set(id, remaining);
      return;
    }
    this.leases.delete(id);
    // A running container needs its root; so does one started while the copy ran.
    const current = this.o.store.find(id);
    if (current && !current.state.running) await this.o.rootfs.unmountContainerRoot(dir);
  }
}

/**
 * The mounts a copy sees. Volumes, binds and the engine's /etc files are reached through their host
 * sources, running or not; a tmpfs exists only inside a running container, reached through its init's
 * root (a stopped container's tmpfs destinations are plain directories of its root, as in Docker).
 */
async function visibleMounts(record: ContainerRecord, dir: string): Promise<FsMount[]> {
  const { running, pid } = record.state;
  const inside = (destination: string): string => posix.join(`/proc/${pid}/root`, posix.normalize(`/${destination}`));
  const tmpfs = running && pid > 0;
  const mounts: FsMount[] = [];
  for (const m of record.mounts ?? []) {
    if (m.type !== 'tmpfs') mounts.push({ destination: m.destination, source: m.source, readOnly: m.readOnly });
    else if (tmpfs) mounts.push({ destination: m.destination, source: inside(m.destination), readOnly: m.readOnly });
  }
  if (tmpfs) {
    for (const [destination, data] of Object.entries(record.hostConfig.Tmpfs ?? {})) {
      mounts.push({ destination, source: inside(destination), readOnly: data.split(',').includes('ro') });
    }
  }
  const etc = etcFilePaths(dir);
  for (const [destination, source] of [['/etc/hosts', etc.hosts], ['/etc/hostname', etc.hostname], ['/etc/resolv.conf', etc.resolvConf]] as const) {
    if (await exists(source)) mounts.push({ destination, source, readOnly: false });
  }
  return mounts;
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function extractionPointError(err: unknown, path: string, record: ContainerRecord): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return notFound(path, record);
  // ELOOP: a directory on the way became a symlink after the path was resolved.
  if (code === 'ENOTDIR' || code === 'ELOOP') return new InvalidArgumentError('extraction point is not a directory', { cause: err });
  return err as Error;
}

function notFound(path: string, record: ContainerRecord): NotFoundError {
  return new NotFoundError(`Could not find the file ${path} in container ${record.name.slice(1)}`);
}

/** Where the last runtime spec mounted things: runc creates these mount points in the upper dir. */
async function runtimeMountPoints(configPath: string): Promise<string[]> {
  const text = await readFile(configPath, 'utf8').catch(() => '');
  if (!text) return [];
  const spec = JSON.parse(text) as { mounts?: Array<{ destination: string }> };
  return (spec.mounts ?? []).map((m) => posix.normalize(m.destination));
}
