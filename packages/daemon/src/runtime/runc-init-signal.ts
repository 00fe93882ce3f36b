import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type DirectSignalOutcome = 'sent' | 'not-running' | 'undecided';

/** What runc keeps about a container's init process in `<root>/<id>/state.json`. */
interface RuncInitState {
  init_process_pid?: number;
  init_process_start?: number;
}

/** Field 22 of /proc/<pid>/stat (the start time in clock ticks), read after the command name, which may hold spaces. */
async function processStartTime(pid: number): Promise<number | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19]);
}

/**
 * Signals a runc container's init process the way `runc kill` does (the pid must still name the process
 * runc started, checked by its start time) without running runc: forking the daemon costs milliseconds,
 * which a removal of many containers pays per container. 'undecided' when runc's state cannot be read.
 */
export async function signalRuncInit(stateRoot: string, id: string, signal: number): Promise<DirectSignalOutcome> {
  let state: RuncInitState;
  try {
    state = JSON.parse(await readFile(join(stateRoot, id, 'state.json'), 'utf8')) as RuncInitState;
  } catch {
    return 'undecided';
  }
  const pid = state.init_process_pid;
  if (!pid || pid <= 0 || state.init_process_start === undefined) return 'undecided';
  if ((await processStartTime(pid)) !== state.init_process_start) return 'not-running';
  try {
    process.kill(pid, signal);
    return 'sent';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'not-running';
    throw err;
  }
}
