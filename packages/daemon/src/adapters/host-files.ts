import type { ContainerHost } from '../ports.js';
import { resolveUserInRoot } from './container-users.js';
import { writeEtcFiles } from './etc-files.js';
import { hostSecurityModules } from './host-security.js';
import { processTable } from './process-table.js';

/** The ContainerHost port over this host: its files, processes and security modules, and the containers' root filesystems. */
export function createContainerHost(): ContainerHost {
  return { writeEtcFiles, resolveUser: resolveUserInRoot, processTable, killProcess, securityModules: hostSecurityModules };
}

function killProcess(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
