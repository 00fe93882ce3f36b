import { readFile, readdir } from 'node:fs/promises';
import { readProcStat } from './proc-stat.js';
import { becomeChildSubreaper, reapIfExited } from './syscalls.js';

/**
 * Collects the exit status of the processes berthd inherits as the child subreaper of what it starts: the
 * conmons, which daemonise, and a container's processes whose `runc exec` was killed (a timed-out health
 * probe). Left alone, each would stay a zombie. libuv waits for the children Node spawned itself, and taking
 * one of those exits would leave its ChildProcess without an 'exit' event, so only four kinds are reaped: the
 * conmons whose pids their own `-P` pid files hold, processes of a deeper pid namespace than berthd's,
 * aardvark-dns, which netavark daemonises, and runc's own helpers (`runc:[0:PARENT]`, `runc:[1:CHILD]`: nsexec
 * names them so), orphaned when a `runc exec` or its first helper ends before the next (a killed exec, a
 * container gone while an exec sets up): Node never spawns any of these directly.
 */
export interface MonitorReaper {
  /** Reaps the conmon whose pid its `-P` pid file holds, once it exits. */
  adopt(pidFile: string): Promise<void>;
  close(): void;
}

/** Depth of the process's pid namespace: the number of ids on the NSpid line of its status (zombies keep it). */
async function pidNamespaceDepth(pid: number | 'self'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const line = status.split('\n').find((l) => l.startsWith('NSpid:'));
  return line ? line.split(/\s+/).length - 1 : 0;
}

/** Programs that daemonise under berthd without being its direct children. */
const DAEMONISED = new Set(['aardvark-dns']);
/** The prefix of the names runc's nsexec gives the helper processes of a `runc init`. */
const RUNC_HELPER = 'runc:[';

const isOrphanedHelper = (comm: string): boolean => DAEMONISED.has(comm) || comm.startsWith(RUNC_HELPER);

async function commandName(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

async function zombieChildren(): Promise<number[]> {
  const tasks = await readdir('/proc/self/task').catch(() => []);
  const lists = await Promise.all(tasks.map((tid) => readFile(`/proc/self/task/${tid}/children`, 'utf8').catch(() => '')));
  const pids = lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
  const zombies = await Promise.all(
    pids.map(async (pid) => {
      const [state] = await readProcStat(pid).catch(() => []);
      return state === 'Z' ? pid : undefined;
    }),
  );
  return zombies.filter((pid): pid is number => pid !== undefined);
}

export function createMonitorReaper(): MonitorReaper {
  becomeChildSubreaper();
  const monitors = new Set<number>();
  const ownDepth = pidNamespaceDepth('self');
  let sweeping: Promise<void> | undefined;
  let again = false;

  const sweepOnce = async (): Promise<void> => {
    const depth = await ownDepth;
    for (const pid of await zombieChildren()) {
      if (monitors.has(pid) || (await pidNamespaceDepth(pid)) > depth || isOrphanedHelper(await commandName(pid))) {
        monitors.delete(pid);
        reapIfExited(pid);
      }
    }
  };
  const sweep = (): void => {
    if (sweeping) {
      again = true;
      return;
    }
    sweeping = (async () => {
      do {
        again = false;
        await sweepOnce();
      } while (again);
    })()
      // A sweep that failed leaves its zombies for the next one, which the next SIGCHLD starts; no caller waits on it.
      .catch(() => undefined)
      .finally(() => (sweeping = undefined));
  };
  process.on('SIGCHLD', sweep);

  return {
    async adopt(pidFile) {
      const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
      if (!(pid > 0)) return;
      monitors.add(pid);
      // It may have exited before it was known: its SIGCHLD found no reason to reap it then.
      sweep();
    },
    close() {
      process.off('SIGCHLD', sweep);
      monitors.clear();
    },
  };
}
