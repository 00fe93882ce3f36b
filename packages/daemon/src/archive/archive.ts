import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ConflictError, InternalError, InvalidArgumentError, NotFoundError } from '@berth/api';
import {
  closeFd,
  directoryTar,
  extractTar,
  fdPath,
  normaliseRootPath,
  OverwriteConflictError,
  readlinkFd,
  rootPairOf,
  treeTar,
  type IdMappings,
  type Owner,
  type PathInRoot,
} from '@berth/layer';
import type { ContainerHost, ContainerRepository, ContainerRootfs } from '../ports.js';
import { containerViewOwners, hostViewOwners, userNamespaceOf } from '../container/user-namespace.js';
import { baseName, containerArchivePath } from './archive-path.js';
import { containerChanges, type Change } from './changes.js';
import { ContainerView } from './container-view.js';
import { goFileMode, type PathStat } from './path-stat.js';
import { dropRuntimePlaceholders } from './runtime-placeholders.js';
import { rootIsVolatile, type ContainerRecord } from '../container/record.js';
import type { ContainerLocks } from '../container/container-services.js';
import type { RuntimeDriver } from '../runtime/index.js';
import { bundleDirIn } from '../container/task-paths.js';

export interface ArchiveServiceOptions {
  store: ContainerRepository;
  host: Pick<ContainerHost, 'resolveUser'>;
  runtime: Pick<RuntimeDriver, 'readBundle'>;
  rootfs: ContainerRootfs;
  /** A root is mounted and unmounted under its container's lock, so never while the container is removed. */
  locks: ContainerLocks;
  log: { warn(msg: string): void };
  /** The daemon's `--userns-remap` mapping: a remapped container's files are archived and written with the ids it sees. */
  remap?: IdMappings;
}

/** The PUT archive options (Docker's query parameters of the same names). */
export interface PutOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (the docker CLI always asks); otherwise replace. */
  noOverwriteDirNonDir: boolean;
  /** `docker cp -a`: entries belong to the container's user (its `User`, looked up in the container) instead of the archive's owners. */
  copyUIDGID: boolean;
}

/** A container root in use; `release` closes the view and unmounts the root again if it was mounted for this use. */
interface RootLease {
  view: ContainerView;
  rootfs: string;
  record: ContainerRecord;
  /** The container's user namespace mapping, if it has one. */
  mappings?: IdMappings;
  release(): Promise<void>;
}

/**
 * `docker cp`, `docker export` and `docker diff`: a container's files, running or not. Every path into
 * the container is resolved through its ContainerView (descriptors, symlinks interpreted inside it);
 * trees are read and written through descriptors (treeTar, pinned extraction), so a running container
 * changing its files meanwhile can make a copy fail but never reach the host's files.
 */
export class ArchiveService {
  /** Uses of container roots; a stopped container's root is unmounted after the last one. */
  private readonly leases = new Map<string, number>();

  constructor(private readonly o: ArchiveServiceOptions) {}

  async stat(ref: string, path: string): Promise<PathStat> {
    const lease = await this.lease(ref, 'copy files from');
    try {
      const { target, name } = this.resolve(lease, path);
      try {
        return this.pathStat(lease, name, target);
      } finally {
        closeFd(target.fd);
      }
    } finally {
      await lease.release();
    }
  }

  /**
   * The tar of `path` and its stat; the root stays leased until the tar ends. Entries are named by the
   * path's last element as given (see stat's name): `/d/.` gives `./a`, the root `/` gives `/bin`.
   */
  async get(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    const lease = await this.lease(ref, 'copy files from');
    try {
      const { target, name } = this.resolve(lease, path);
      let stat: PathStat;
      try {
        stat = this.pathStat(lease, name, target);
      } catch (err) {
        closeFd(target.fd);
        throw err;
      }
      const tar = treeTar(target.fd, { name: stat.name, mounts: lease.view.walkMounts(target.path), owner: containerViewOwners(lease.mappings) });
      tar.once('close', () => this.releaseAfterStream(lease));
      return { stat, tar };
    } catch (err) {
      await lease.release();
      throw err;
    }
  }

  /**
   * Extracts a tar (plain or gzip) into the directory `path` leads to, its last symlink followed too,
   * safely (see @berth/layer extractTar, pinned): entries are created through descriptors of their
   * parent directories, and those below a mount point go into the mount.
   */
  async put(ref: string, path: string, tar: Readable, options: PutOptions): Promise<void> {
    const lease = await this.lease(ref, 'copy files to');
    try {
      let dir: PathInRoot;
      try {
        // A trailing `/` asks nothing more here: a file named so is "not a directory" like any other.
        dir = lease.view.resolve(normaliseRootPath(path), true);
      } catch (err) {
        throw lookupError(err, path, lease.record);
      }
      try {
        if (!dir.stats.isDirectory()) throw new InvalidArgumentError('extraction point is not a directory');
        if (dir.mount?.readOnly) throw new InvalidArgumentError('mounted volume is marked read-only');
        if (!dir.mount && lease.record.hostConfig.ReadonlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
        const user = options.copyUIDGID ? await this.containerUser(lease) : undefined;
        const toHost = hostViewOwners(lease.mappings);
        const owner = user && toHost ? toHost(user) : (user ?? toHost);
        const below = lease.view.extractMounts(dir.path);
        try {
          await extractTar(tar, fdPath(dir.fd), {
            pinned: true,
            mounts: below.mounts,
            dirNonDir: options.noOverwriteDirNonDir ? 'refuse' : 'replace',
            ...(owner ? { owner } : {}),
            ...(lease.mappings ? { parentOwner: rootPairOf(lease.mappings) } : {}),
          });
        } catch (err) {
          throw err instanceof OverwriteConflictError ? overwriteError(err, dir.path) : err;
        } finally {
          below.release();
        }
      } finally {
        closeFd(dir.fd);
      }
    } finally {
      await lease.release();
    }
  }

  /** `user[:group]` (names or ids) as uid and gid, looked up in the container's own passwd and group files. */
  async resolveOwner(ref: string, user: string): Promise<Owner> {
    const lease = await this.lease(ref, 'copy files to');
    try {
      const { uid, gid } = await this.o.host.resolveUser(lease.rootfs, user);
      return { uid, gid };
    } finally {
      await lease.release();
    }
  }

  /** The container's `User` as uid and gid from its own passwd and group files; undefined when it has none (the archive's owners stay). */
  private async containerUser(lease: RootLease): Promise<Owner | undefined> {
    const user = lease.record.config.User;
    if (!user) return undefined;
    const { uid, gid } = await this.o.host.resolveUser(lease.rootfs, user);
    return { uid, gid };
  }

  /** The container's root filesystem as a tar (`docker export`; mounts are not part of it, as in Docker). */
  async export(ref: string): Promise<Readable> {
    const lease = await this.lease(ref, 'export');
    try {
      const tar = directoryTar(lease.rootfs, { name: '', owner: containerViewOwners(lease.mappings) });
      tar.once('close', () => this.releaseAfterStream(lease));
      return tar;
    } catch (err) {
      await lease.release();
      throw err;
    }
  }

  /** The changes in the container's read-write layer (`docker diff`). */
  async changes(ref: string): Promise<Change[]> {
    const record = this.o.store.get(ref);
    const dir = this.o.store.dirOf(record.id);
    const lowers = record.imageChainId ? this.o.rootfs.diffDirs(record.imageChainId) : [];
    return containerChanges(join(dir, 'upper'), lowers, await this.runtimeMountPoints(record.id, bundleDirIn(dir)));
  }

  /** Drops from a stopped container's read-write layer the mount points the runtime made there (before a build step's commit). */
  async dropRuntimePlaceholders(ref: string): Promise<void> {
    const record = this.o.store.get(ref);
    const dir = this.o.store.dirOf(record.id);
    const lowers = record.imageChainId ? this.o.rootfs.diffDirs(record.imageChainId) : [];
    await dropRuntimePlaceholders(join(dir, 'upper'), lowers, await this.runtimeMountPoints(record.id, bundleDirIn(dir)));
  }

  /** Where the last runtime spec mounted things: runc creates these mount points in the upper dir. */
  private async runtimeMountPoints(id: string, bundleDir: string): Promise<string[]> {
    // A container never started has no bundle yet; an unreadable one lists no mount points either.
    const spec = await this.o.runtime.readBundle({ id, bundleDir }).catch(() => undefined);
    return (spec?.mounts ?? []).map((m) => posix.normalize(m.destination));
  }

  /**
   * What a path of the stat and GET routes names, and the name Docker gives it (see containerArchivePath):
   * a last symlink is the link itself; a trailing `/` or `/.` asks for the directory it leads to.
   */
  private resolve(lease: RootLease, path: string): { target: PathInRoot; name: string } {
    if (!path) throw new InvalidArgumentError('Path cannot be empty');
    const absolute = containerArchivePath(path);
    try {
      return { target: lease.view.resolve(absolute, false), name: baseName(absolute) };
    } catch (err) {
      throw lookupError(err, path, lease.record);
    }
  }

  private pathStat(lease: RootLease, name: string, target: PathInRoot): PathStat {
    const { stats } = target;
    let linkTarget = '';
    if (stats.isSymbolicLink()) linkTarget = this.linkTarget(lease, target);
    return { name, size: stats.size, mode: goFileMode(stats), mtime: stats.mtime.toISOString(), linkTarget };
  }

  /** Where a symlink leads inside the container; for a dangling one, where it would lead. */
  private linkTarget(lease: RootLease, link: PathInRoot): string {
    try {
      const followed = lease.view.resolve(link.path, true);
      closeFd(followed.fd);
      return followed.path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw lookupError(err, link.path, lease.record);
      return posix.resolve(posix.dirname(link.path), readlinkFd(link.fd));
    }
  }

  private releaseAfterStream(lease: RootLease): void {
    lease.release().catch((err: unknown) => this.o.log.warn(`releasing the root of container ${lease.record.id}: ${String(err)}`));
  }

  private async lease(ref: string, use: string): Promise<RootLease> {
    const record = this.o.store.get(ref);
    const dir = this.o.store.dirOf(record.id);
    const mappings = userNamespaceOf(record, this.o.remap);
    // Under the container's lock: a release cannot pull the root from under a new lease, and a root mounted
    // between a removal's unmount and its deletion of the dir would attach layers where the deletion runs.
    const root = await this.o.locks.run(record.id, async () => {
      if (this.o.locks.isRemoving(record.id)) throw new ConflictError(`You cannot ${use} container ${record.id} which is being removed`);
      // A removal that held the lock meanwhile leaves no container.
      this.o.store.get(record.id);
      this.leases.set(record.id, (this.leases.get(record.id) ?? 0) + 1);
      try {
        // A volatile root is mounted volatile here too: the kernel's marker of its volatile mount refuses any
        // later mount, and only a volatile mount clears it.
        return await this.o.rootfs.mountContainerRoot(dir, record.imageChainId, mappings, { volatile: rootIsVolatile(record) });
      } catch (err) {
        await this.drop(record.id, dir);
        throw err;
      }
    });
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.o.locks.run(record.id, () => this.drop(record.id, dir));
    };
    try {
      const view = await ContainerView.open(record, root, dir);
      return {
        view,
        rootfs: root,
        record,
        mappings,
        release: () => {
          view.close();
          return release();
        },
      };
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
 * Docker's answers for a path that cannot be looked up: a missing file is a 404 naming the path as
 * given; a non-directory met where a directory must be is a 500 naming where, inside the container.
 */
function lookupError(err: unknown, path: string, record: ContainerRecord): Error {
  const { code, path: where } = err as NodeJS.ErrnoException;
  if (code === 'ENOENT') return notFound(path, record);
  if (code === 'ENOTDIR') return new InternalError(`lstat ${where ?? path}: not a directory`, { cause: err });
  if (code === 'ELOOP') return new InvalidArgumentError(`too many levels of symbolic links resolving ${path}`, { cause: err });
  return err as Error;
}

/** Docker's refusal of a tar entry of another kind than what is there (as its extraction in the container's root words it). */
function overwriteError(err: OverwriteConflictError, extractionPoint: string): InternalError {
  const [there, entry] = err.existingIsDirectory ? ['directory', 'non-directory'] : ['non-directory', 'directory'];
  const path = JSON.stringify(posix.join(extractionPoint, err.path));
  return new InternalError(`Error processing tar file(exit status 1): cannot overwrite ${there} ${path} with ${entry} ${JSON.stringify(extractionPoint)}`, {
    cause: err,
  });
}

function notFound(path: string, record: ContainerRecord): NotFoundError {
  return new NotFoundError(`Could not find the file ${path} in container ${record.name.slice(1)}`);
}
