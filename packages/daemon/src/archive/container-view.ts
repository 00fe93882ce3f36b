import { constants, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  closeFd,
  fdPath,
  normaliseRootPath,
  O_PATH,
  openDirectoryPath,
  openInProcessRoot,
  openInRoot,
  type ExtractMount,
  type PathInRoot,
  type SubMount,
} from '@berth/layer';
import { etcFilePaths } from '../container/etc-paths.js';
import type { ContainerRecord } from '../container/record.js';

/**
 * A container's filesystem as its processes see it, opened for the engine: the root filesystem plus its
 * mounts. Volumes, binds and the engine's /etc files are reached from their host sources; a tmpfs exists
 * only inside a running container, so it is opened in the container's own root by the kernel
 * (openInProcessRoot). Paths are then resolved with openInRoot: component by component through
 * descriptors, symlinks interpreted inside the container, never by a path string the container can
 * redirect. A stopped container's tmpfs destinations are plain directories of its root, as in Docker.
 */
export class ContainerView {
  private constructor(
    private readonly rootFd: number,
    readonly mounts: readonly SubMount[],
    private readonly held: number[],
  ) {}

  static async open(record: ContainerRecord, rootfs: string, containerDir: string): Promise<ContainerView> {
    const held: number[] = [];
    const mounts: SubMount[] = [];
    const fromPath = (destination: string, source: string, readOnly: boolean): void => {
      mounts.push({ destination, readOnly, open: () => openSync(source, O_PATH) });
    };
    try {
      const { running, pid } = record.state;
      const tmpfs: Array<[string, boolean]> = [];
      for (const m of record.mounts ?? []) {
        if (m.type === 'tmpfs') tmpfs.push([m.destination, m.readOnly]);
        else fromPath(m.destination, m.source, m.readOnly);
      }
      for (const [destination, data] of Object.entries(record.hostConfig.Tmpfs ?? {})) tmpfs.push([destination, data.split(',').includes('ro')]);
      if (running && pid > 0) {
        for (const [destination, readOnly] of tmpfs) {
          const fd = await openTmpfs(record.id, pid, destination);
          if (fd === undefined) continue;
          held.push(fd);
          mounts.push({ destination, readOnly, open: () => openSync(fdPath(fd), O_PATH) });
        }
      }
      const etc = etcFilePaths(containerDir);
      for (const [destination, source] of [['/etc/hosts', etc.hosts], ['/etc/hostname', etc.hostname], ['/etc/resolv.conf', etc.resolvConf]] as const) {
        if (exists(source)) fromPath(destination, source, false);
      }
      const rootFd = openDirectoryPath(rootfs);
      held.push(rootFd);
      return new ContainerView(rootFd, mounts.map((m) => ({ ...m, destination: canonicalDestination(rootFd, m.destination) })), held);
    } catch (err) {
      held.forEach(closeFd);
      throw err;
    }
  }

  /** See openInRoot; the caller closes the returned descriptor. */
  resolve(path: string, followLast: boolean): PathInRoot {
    return openInRoot(this.rootFd, path, { mounts: this.mounts, followLast });
  }

  /** The mounts strictly below the container directory `dir`, keyed by their path relative to it. */
  mountsBelow(dir: string): SubMount[] {
    const base = normaliseRootPath(dir);
    return this.mounts.filter((m) => {
      const destination = normaliseRootPath(m.destination);
      return destination !== base && (base === '/' || destination.startsWith(`${base}/`));
    });
  }

  /** `mountsBelow` as walkTree wants them: relative path → opener. */
  walkMounts(dir: string): Map<string, () => number> {
    return new Map(this.mountsBelow(dir).map((m) => [posix.relative(normaliseRootPath(dir), normaliseRootPath(m.destination)), m.open]));
  }

  /**
   * `mountsBelow` opened for an extraction into `dir`; the returned descriptors must stay open until
   * it is done (`release`).
   */
  extractMounts(dir: string): { mounts: Map<string, ExtractMount>; release(): void } {
    const fds: number[] = [];
    const mounts = new Map<string, ExtractMount>();
    try {
      for (const m of this.mountsBelow(dir)) {
        const fd = m.open();
        fds.push(fd);
        mounts.set(posix.relative(normaliseRootPath(dir), normaliseRootPath(m.destination)), { source: fdPath(fd), readOnly: m.readOnly });
      }
    } catch (err) {
      fds.forEach(closeFd);
      throw err;
    }
    return { mounts, release: () => fds.forEach(closeFd) };
  }

  close(): void {
    this.held.forEach(closeFd);
  }
}

/**
 * Where the runtime mounted `destination`: it resolves symlinks on the way inside the root filesystem
 * (`--tmpfs /var/run` with `/var/run -> /run` is mounted on `/run`). A destination not there yet is kept.
 */
function canonicalDestination(rootFd: number, destination: string): string {
  try {
    const found = openInRoot(rootFd, destination);
    closeFd(found.fd);
    return found.path;
  } catch {
    return normaliseRootPath(destination);
  }
}

/** Sources are opened as paths only: one may be a file (`-v /etc/x:/x`), and nothing is read through them here. */
function exists(path: string): boolean {
  try {
    closeFd(openSync(path, O_PATH | constants.O_NOFOLLOW));
    return true;
  } catch {
    return false;
  }
}

/** The tmpfs at `destination` inside the running container, or undefined if it has exited meanwhile. */
async function openTmpfs(id: string, pid: number, destination: string): Promise<number | undefined> {
  try {
    // The container's init is the pid recorded only while it is in the container's cgroup: a recycled pid is not.
    return await openInProcessRoot(pid, destination, async (procDir) => (await readFile(`${procDir}/cgroup`, 'utf8')).includes(`/berth/${id}`));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'ENOENT') return undefined;
    throw err;
  }
}
