import { posix } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import type { PathInfo, StepContainer } from '../executor/backend.js';

const MAX_LINKS = 255;

export interface ContainerPath {
  /** Absolute, every symlink resolved inside the container as far as the path exists. */
  path: string;
  /** What is there; undefined when it does not exist. */
  info: PathInfo | undefined;
  /** The first missing directory on the way (`path` itself or an ancestor); undefined when `path` exists. */
  firstMissing?: string;
  /** A non-directory met before the last component: nothing can be created below it. */
  notDirectory?: string;
}

const ROOT: PathInfo = { isDirectory: true, linkTarget: '' };

const componentsOf = (path: string): string[] => path.split('/').filter((c) => c !== '' && c !== '.');

/**
 * Resolves `path` in the container's filesystem the way moby's FollowSymlinkInScope does on the
 * container's root (an absolute link target starts again at `/`), one `stat` per component.
 */
export async function resolveContainerPath(container: StepContainer, path: string): Promise<ContainerPath> {
  let resolved = '/';
  let info = ROOT;
  let pending = componentsOf(path);
  let links = 0;
  while (pending.length > 0) {
    const [component, ...rest] = pending;
    pending = rest;
    if (component === '..') {
      resolved = posix.dirname(resolved);
      info = ROOT;
      continue;
    }
    const next = posix.join(resolved, component);
    if (!info.isDirectory) return { path: posix.join(next, ...pending), info: undefined, notDirectory: resolved };
    const found = await container.stat(next);
    if (found === undefined) return { path: posix.join(next, ...pending), info: undefined, firstMissing: next };
    if (found.linkTarget !== '') {
      if (++links > MAX_LINKS) throw new InvalidArgumentError(`too many links resolving ${path}`);
      if (found.linkTarget.startsWith('/')) {
        resolved = '/';
        info = ROOT;
      }
      pending = [...componentsOf(found.linkTarget), ...pending];
      continue;
    }
    resolved = next;
    info = found;
  }
  return { path: resolved, info };
}
