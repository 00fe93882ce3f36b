import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcStat } from './proc-stat.js';

export type DirectSignalOutcome = 'sent' | 'not-running' | 'undecided';

/** What runc keeps about a container's init process in `<root>/<id>/state.json`. */
interface RuncInitState {
  init_process_pid?: unknown;
  init_process_start?: unknown;
  cgroup_paths?: Record<string, unknown>;
}

const SIGKILL = 9;
const isProcessGone = (err: unknown): boolean => ['ENOENT', 'ESRCH'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * True only when the container's freezer cgroup reads thawed (cgroup v1 `freezer.state`, v2 `cgroup.freeze`);
 * false when frozen or when that cannot be read.
 */
async function isThawed(cgroupPaths: Record<string, unknown> | undefined): Promise<boolean> {
  const v1 = cgroupPaths?.freezer;
  const v2 = cgroupPaths?.[''];
  const file = typeof v1 === 'string' ? join(v1, 'freezer.state') : typeof v2 === 'string' ? join(v2, 'cgroup.freeze') : undefined;
  if (!file) return false;
  const content = (await readFile(file, 'utf8').catch(() => '')).trim();
  return content === 'THAWED' || content === '0';
}

/** The init's start time in clock ticks; null when the process is gone, undefined when that cannot be told. */
async function processStartTime(pid: number): Promise<number | null | undefined> {
  try {
    const start = Number((await readProcStat(pid))[19]);
    return Number.isInteger(start) ? start : undefined;
  } catch (err) {
    return isProcessGone(err) ? null : undefined;
  }
}

/**
 * Signals a runc container's init process the way `runc kill` does (the pid must still name the process
 * runc started, checked by its start time) without running runc: forking the daemon costs milliseconds,
 * which a removal of many containers pays per container. 'not-running' only when the process is known to
 * be gone; 'undecided' (runc decides) whenever anything else is unclear.
 *
 * Unlike runc >= 1.2, which on SIGKILL of a container sharing the host's pid namespace kills every process
 * of its cgroup, this signals init only: the others die at the `runc delete --force` that follows the exit.
 */
export async function signalRuncInit(stateRoot: string, id: string, signal: number): Promise<DirectSignalOutcome> {
  let state: RuncInitState;
  try {
    state = JSON.parse(await readFile(join(stateRoot, id, 'state.json'), 'utf8')) as RuncInitState;
  } catch {
    return 'undecided';
  }
  const { init_process_pid: pid, init_process_start: recordedStart } = state;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof recordedStart !== 'number') return 'undecided';
  // A frozen init acts on SIGKILL only once thawed; runc's kill thaws it, so runc keeps that case.
  if (signal === SIGKILL && !(await isThawed(state.cgroup_paths))) return 'undecided';
  const start = await processStartTime(pid);
  if (start === undefined) return 'undecided';
  if (start !== recordedStart) return 'not-running';
  try {
    process.kill(pid, signal);
    return 'sent';
  } catch (err) {
    return isProcessGone(err) ? 'not-running' : 'undecided';
  }
}
