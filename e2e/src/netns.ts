import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { run, type CommandResult } from './harness.js';

/**
 * A network namespace of the test's own: a networking test runs its berthd inside one, so bridges,
 * veths, firewall rules and container addresses exist only there (DESIGN §6).
 */
export interface TestNetns {
  name: string;
  path: string;
  /** Runs a command inside the namespace (its network only). */
  run(file: string, args: string[]): Promise<CommandResult>;
  /** Ends what still runs in it (aardvark-dns, which netavark started for the test's daemon) and deletes it. */
  remove(): Promise<void>;
}

export async function createTestNetns(): Promise<TestNetns> {
  const name = `berth-e2e-${randomBytes(4).toString('hex')}`;
  const path = `/run/netns/${name}`;
  const added = await run('ip', ['netns', 'add', name]);
  if (added.code !== 0) throw new Error(`ip netns add ${name}: ${added.stderr}`);
  const inside = (file: string, args: string[]) => run('nsenter', [`--net=${path}`, file, ...args]);
  await inside('ip', ['link', 'set', 'lo', 'up']);
  return {
    name,
    path,
    run: inside,
    async remove() {
      const pids = (await run('ip', ['netns', 'pids', name])).stdout.split('\n').filter(Boolean).map(Number);
      for (const pid of pids) {
        // Only what the test's own daemon left: aardvark-dns, started by netavark for its networks.
        const command = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
        if (command.trim() === 'aardvark-dns') process.kill(pid, 'SIGKILL');
      }
      await run('ip', ['netns', 'del', name]);
    },
  };
}
