import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ProgramFailure } from '@berth/api';
import type { NamespaceFiles } from './network-driver.js';
import { runTool } from './system-tools.js';

/**
 * Network namespaces bind-mounted on files, as `ip netns add` makes them but in the engine's own
 * directory: unshare(1) creates and mounts it, and brings its loopback up from inside (netavark
 * does not, and runc leaves a namespace it is given as it is).
 */
export function namespaceFiles(tools: { unshare: string; ip: string; umount: string }): NamespaceFiles {
  return {
    async create(path) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, '', { mode: 0o600 });
      try {
        await runTool(tools.unshare, [`--net=${path}`, '--', tools.ip, 'link', 'set', 'lo', 'up']);
      } catch (err) {
        await this.remove(path);
        throw err;
      }
    },
    async remove(path) {
      try {
        await runTool(tools.umount, ['--', path]);
      } catch (err) {
        // Not mounted (a create that failed, or a machine restarted since): only the file is left.
        if (!(err instanceof ProgramFailure && /not mounted|no mount point|No such file/i.test(err.stderr))) throw err;
      }
      await rm(path, { force: true });
    },
  };
}
