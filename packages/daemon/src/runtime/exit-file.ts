import { watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists } from '../util/path-exists.js';
import { conmonPidFile } from './conmon.js';
import type { ExitSpec, ExitStatus, TaskSpec } from './runtime-driver.js';

/** What a container's status becomes when its monitor vanished without recording an exit code. */
const LOST_MONITOR_EXIT_CODE = 255;
const MONITOR_CHECK_INTERVAL_MS = 1000;

/** The exit status conmon wrote, or null while there is none (conmon writes the file atomically). */
export async function readExit(spec: ExitSpec): Promise<ExitStatus | null> {
  const path = join(spec.exitDir, spec.id);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const exitCode = Number.parseInt(text.trim(), 10);
  if (Number.isNaN(exitCode)) return null;
  const { mtime } = await stat(path);
  return { exitCode, finishedAt: mtime, oomKilled: await pathExists(join(spec.persistDir, 'oom')) };
}

/**
 * Whether the conmon recorded in the persist dir still runs. The cmdline check guards against pid reuse and
 * treats an unreaped zombie (empty cmdline) as dead.
 */
export async function isMonitorAlive(spec: Pick<TaskSpec, 'id' | 'persistDir'>): Promise<boolean> {
  const pid = await readPid(conmonPidFile(spec.persistDir));
  if (pid === null) return false;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmdline.some((arg) => arg.endsWith('conmon')) && cmdline.includes(spec.id);
  } catch {
    return false;
  }
}

/**
 * Resolves once the exit file has content. The watcher is set up before the first look so an exit between the
 * two is not missed. A monitor that died without writing the file ends the wait with exit code 255.
 */
export function waitExit(spec: ExitSpec, signal?: AbortSignal): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let checking = false;
    let recheck = false;
    const watcher = watch(spec.exitDir, { persistent: true });
    const timer = setInterval(() => void check(true), MONITOR_CHECK_INTERVAL_MS);
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason));
    const check = async (monitorToo: boolean): Promise<void> => {
      if (checking) {
        recheck = true;
        return;
      }
      checking = true;
      try {
        do {
          recheck = false;
          const status = await readExit(spec);
          if (status) {
            finish(() => resolve(status));
            return;
          }
          if (monitorToo && (await hasLostMonitor(spec))) {
            const again = await readExit(spec);
            finish(() => resolve(again ?? { exitCode: LOST_MONITOR_EXIT_CODE, finishedAt: new Date(), oomKilled: false }));
            return;
          }
        } while (recheck && !settled);
      } catch (err) {
        finish(() => reject(err));
      } finally {
        checking = false;
      }
    };
    watcher.on('change', (_event, filename) => {
      if (filename === null || filename.toString() === spec.id) void check(false);
    });
    watcher.on('error', (err) => finish(() => reject(err)));
    signal?.addEventListener('abort', onAbort, { once: true });
    void check(false);
  });
}

/** A pid file naming a dead process; no pid file means conmon has not daemonised yet, so nothing is lost. */
async function hasLostMonitor(spec: ExitSpec): Promise<boolean> {
  if ((await readPid(conmonPidFile(spec.persistDir))) === null) return false;
  return !(await isMonitorAlive(spec));
}

async function readPid(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
