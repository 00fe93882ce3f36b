import { InvalidArgumentError } from '@berth/api';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/**
 * Keeps the rows of `ps` output whose PID is one of `pids`. The last column (the command) may hold
 * spaces, so each row is split into as many fields as there are titles, the rest joined into the last.
 */
export function filterPsOutput(output: string, pids: readonly number[]): TopResult {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const Titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIndex = Titles.indexOf('PID');
  if (pidIndex === -1) throw new InvalidArgumentError("Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const Processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const row = [...fields.slice(0, Titles.length - 1), fields.slice(Titles.length - 1).join(' ')];
    const pid = Number(row[pidIndex]);
    if (wanted.has(pid)) Processes.push(row);
  }
  return { Titles, Processes };
}

/** `docker top`: the host's `ps` with the given arguments, limited to the container's processes. */
export async function containerTop(pids: readonly number[], psArgs: string, processTable: (args: string[]) => Promise<string>): Promise<TopResult> {
  return filterPsOutput(await processTable(psArgs.split(/\s+/).filter(Boolean)), pids);
}
