// A network namespace of the bench's own, as e2e/src/netns.ts makes one for a test: an engine with a bridge runs only
// inside one, so its bridge, veths, firewall rules and published ports never touch the host's network (DESIGN §6).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** What an engine started in the namespace may leave running there after it stopped (podman 4.3: its exec sessions' conmon). */
const ENGINE_HELPERS = ['aardvark-dns', 'docker-proxy', 'conmon'];

export async function createBenchNetns() {
  const name = `berth-bench-${randomBytes(4).toString('hex')}`;
  const path = `/run/netns/${name}`;
  await execFileAsync('ip', ['netns', 'add', name]);
  // nsenter --net only: `ip netns exec` remounts /sys, and runc then misdetects the cgroup hierarchy.
  const enter = ['nsenter', `--net=${path}`];
  await execFileAsync(enter[0], [...enter.slice(1), 'ip', 'link', 'set', 'lo', 'up']);
  return {
    name,
    /** The command prefix that runs a program in the namespace. */
    enter,
    /** Kills the engine helpers still running in it (after the engine stopped), then deletes it. */
    async remove() {
      const { stdout } = await execFileAsync('ip', ['netns', 'pids', name]);
      for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
        const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
        if (ENGINE_HELPERS.includes(command)) process.kill(pid, 'SIGKILL');
      }
      await execFileAsync('ip', ['netns', 'del', name]);
    },
  };
}
