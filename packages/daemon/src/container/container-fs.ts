import { posix } from 'node:path';
import { resolveInRoot } from '../util/secure-path.js';

/**
 * A container's filesystem as seen from the host: container paths resolve inside the root, with every
 * symlink interpreted as the container would, so no link can lead outside it. Mounts (volumes, binds)
 * are to be resolved here too, as further roots keyed by their container path.
 */
export class ContainerFs {
  constructor(readonly root: string) {}

  /** The host path of `path` with every symlink followed (inside the root). */
  resolve(path: string): Promise<string> {
    return resolveInRoot(this.root, path);
  }

  /**
   * The host path of `path` whose parent is resolved but whose last component is kept as is, as Docker's
   * archive routes treat it: a symlink named last is the link itself. A trailing `/` or `/.` asks for the
   * directory the path leads to.
   */
  async resolveKeepingLast(path: string): Promise<string> {
    const cleaned = posix.normalize(`/${path}`);
    if (path.endsWith('/') || path.endsWith('/.') || cleaned === '/') return this.resolve(cleaned);
    const parent = await this.resolve(posix.dirname(cleaned));
    return posix.join(parent, posix.basename(cleaned));
  }

  /** The container path of a host path returned by the resolvers. */
  containerPath(hostPath: string): string {
    return posix.join('/', posix.relative(this.root, hostPath));
  }
}
