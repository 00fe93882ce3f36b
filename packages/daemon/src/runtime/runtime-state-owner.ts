import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeName } from './runtime-selection.js';

/** What each runtime alone writes into a container's state dir under `--root`. */
const OWN_FILE: Record<RuntimeName, string> = { runc: 'state.json', crun: 'status' };

export interface ForeignTask {
  id: string;
  /** The runtime whose state the dir holds, the only one that can exec into, stop or delete it. */
  runtime: RuntimeName;
}

/**
 * The containers whose runtime state in `stateRoot` the other runtime wrote: both keep their state there,
 * and neither can act on the other's (a daemon switched runtime across a restart would strand them).
 */
export async function tasksOfOtherRuntime(stateRoot: string, runtime: RuntimeName): Promise<ForeignTask[]> {
  const other: RuntimeName = runtime === 'runc' ? 'crun' : 'runc';
  const ids = await readdir(stateRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const foreign: ForeignTask[] = [];
  for (const id of ids) {
    const files = new Set(await readdir(join(stateRoot, id)).catch(() => []));
    if (files.has(OWN_FILE[other]) && !files.has(OWN_FILE[runtime])) foreign.push({ id, runtime: other });
  }
  return foreign;
}
