import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { becomeChildSubreaper, reapIfExited } from '@berth/layer';

const SWEEP_INTERVAL_MS = 1000;

/**
 * Collects the exit status of the conmons this daemon started. conmon daemonises, so as a child subreaper
 * berthd inherits it; an exited conmon nobody waits for stays a zombie. Only pids read from conmon's own
 * pid file are waited for: libuv waits for the children Node spawned, and taking one of its exits would
 * leave that child process's 'exit' unreported.
 */
export interface MonitorReaper {
  /** Waits for the conmon whose pid its `-P` pid file holds, once it exits. */
  adopt(pidFile: string): Promise<void>;
  close(): void;
}

export function createMonitorReaper(): MonitorReaper {
  becomeChildSubreaper();
  const pids = new Set<number>();
  let timer: NodeJS.Timeout | undefined;

  const sweep = (): void => {
    for (const pid of pids) {
      // 'not-a-child' while its first parent still runs; once /proc has no such pid, another process reaped it.
      const outcome = reapIfExited(pid);
      if (outcome === 'reaped' || (outcome === 'not-a-child' && !existsSync(`/proc/${pid}`))) pids.delete(pid);
    }
    if (pids.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    async adopt(pidFile) {
      const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
      if (!(pid > 0)) return;
      pids.add(pid);
      if (!timer) {
        timer = setInterval(sweep, SWEEP_INTERVAL_MS);
        timer.unref();
      }
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      pids.clear();
    },
  };
}
