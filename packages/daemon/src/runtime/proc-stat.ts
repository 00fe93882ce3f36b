import { readFile } from 'node:fs/promises';

/**
 * The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses), so
 * index 0 is the state (field 3) and index 19 the start time (field 22). Rejects when the file cannot be read.
 */
export async function readProcStat(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
