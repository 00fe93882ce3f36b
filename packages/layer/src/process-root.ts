import { constants } from 'node:fs';
import { closeFd, fdPath } from './path-in-root.js';
import { openat2, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS } from './syscalls.js';

/**
 * Opens `path` (O_PATH) as the process `pid` sees it: in its mount namespace, under its root, with the
 * kernel resolving every component and symlink inside that root (RESOLVE_IN_ROOT). A path such as
 * `/proc/<pid>/root/var/run` would instead be resolved by the engine, where an absolute symlink
 * (`/var/run -> /run`) leads to the host's own `/run`.
 *
 * `belongs` is shown the process's /proc directory (held open, so a pid recycled after the check
 * cannot pass it: reads through it then fail) and decides whether this is the expected process.
 */
export async function openInProcessRoot(pid: number, path: string, belongs: (procDir: string) => Promise<boolean>): Promise<number> {
  const procFd = openat2(-100, `/proc/${pid}`, O_PATH | constants.O_DIRECTORY, 0);
  try {
    if (!(await belongs(fdPath(procFd)))) throw Object.assign(new Error(`ESRCH: process ${pid} is not the expected one`), { code: 'ESRCH' });
    const rootFd = openat2(procFd, 'root', O_PATH | constants.O_DIRECTORY, 0);
    try {
      return openat2(rootFd, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    } finally {
      closeFd(rootFd);
    }
  } finally {
    closeFd(procFd);
  }
}
