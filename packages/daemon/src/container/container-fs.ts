import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';

const MAX_SYMLINKS = 40;

/** A filesystem mounted into the container: `source` on the host appears at `destination` inside. */
export interface FsMount {
  destination: string;
  source: string;
  readOnly: boolean;
}

/** A container path resolved to where its data lives on the host. */
export interface ResolvedPath {
  /** The container path with every symlink followed (except a kept last component). */
  container: string;
  host: string;
  /** The host directory the path is mapped from (the root or the mount's source), and the rest below it. */
  base: string;
  relative: string;
  /** The mount the path lies in; absent for the container's own root filesystem. */
  mount?: FsMount;
}

function isUnder(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * A container's filesystem as seen from the host: its root plus its volume, bind and tmpfs mounts.
 * Paths resolve in the container's view first, with every symlink interpreted as the container would
 * (a link to `/` inside a volume means the container's `/`), and are then mapped to the host through
 * the longest mount destination that contains them, so no link can lead outside what the container sees.
 */
export class ContainerFs {
  private readonly mounts: FsMount[];

  constructor(
    readonly root: string,
    mounts: readonly FsMount[] = [],
  ) {
    // Longest destination first: the first match is the innermost mount.
    this.mounts = mounts
      .map((m) => ({ ...m, destination: posix.normalize(`/${m.destination}`).replace(/(.)\/$/, '$1') }))
      .filter((m) => m.destination !== '/')
      .sort((a, b) => b.destination.length - a.destination.length);
  }

  /** `path` with every symlink followed, inside the container's view. */
  async resolve(path: string): Promise<ResolvedPath> {
    let pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
    const resolved: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const candidate = this.locate(`/${[...resolved, part].join('/')}`);
      // A mount point shows the mounted directory, whatever its host source path is.
      const isLink =
        candidate.mount?.destination !== candidate.container &&
        (await lstat(candidate.host).then(
          (s) => s.isSymbolicLink(),
          () => false,
        ));
      if (!isLink) {
        resolved.push(part);
        continue;
      }
      if (++links > MAX_SYMLINKS) throw new Error(`too many levels of symbolic links resolving ${path}`);
      const target = await readlink(candidate.host);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
    }
    return this.locate(`/${resolved.join('/')}`);
  }

  /**
   * `path` with its parent resolved but its last component kept as is, as Docker's archive routes treat
   * it: a symlink named last is the link itself. A trailing `/` or `/.` asks for the directory the path
   * leads to.
   */
  async resolveKeepingLast(path: string): Promise<ResolvedPath> {
    const cleaned = posix.normalize(`/${path}`);
    if (path.endsWith('/') || path.endsWith('/.') || cleaned === '/') return this.resolve(cleaned);
    const parent = await this.resolve(posix.dirname(cleaned));
    return this.locate(posix.join(parent.container, posix.basename(cleaned)));
  }

  /** The mounts strictly below the container directory `dir`, keyed by their path relative to it. */
  mountsBelow(dir: string): Map<string, string> {
    const below = new Map<string, string>();
    for (const m of this.mounts) {
      if (m.destination !== dir && isUnder(m.destination, dir)) below.set(posix.relative(dir, m.destination), m.source);
    }
    return below;
  }

  /** Where a symlink-free container path lives on the host. */
  private locate(container: string): ResolvedPath {
    const mount = this.mounts.find((m) => isUnder(container, m.destination));
    const base = mount ? mount.source : this.root;
    const relative = posix.relative(mount ? mount.destination : '/', container);
    return { container, host: posix.join(base, relative), base, relative, ...(mount ? { mount } : {}) };
  }
}

/** `path` resolved inside a root with no mounts, as the container would see it; a host path under `root`. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  return (await new ContainerFs(root).resolve(path)).host;
}
