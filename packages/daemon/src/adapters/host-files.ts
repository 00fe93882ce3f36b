import type { ContainerHost } from '../ports.js';
import { resolveUserInRoot } from './container-users.js';
import { writeEtcFiles } from './etc-files.js';
import { processTable } from './process-table.js';

/** The ContainerHost port over this host's files, its `ps` and the containers' root filesystems. */
export function createContainerHost(): ContainerHost {
  return { writeEtcFiles, resolveUser: resolveUserInRoot, processTable };
}
