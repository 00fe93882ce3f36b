import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { findLeftovers, useTestDaemon } from './harness.js';

const d = useTestDaemon({ checkAllLeftovers: true });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Container lifecycles in flight; errors are expected once the daemon is gone. */
function churn(round: number): void {
  for (let i = 0; i < 4; i++) {
    const name = `crash-${round}-${i}`;
    void (async () => {
      const c = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'], name, HostConfig: { RestartPolicy: { Name: i % 2 ? 'always' : 'no' } } });
      await c.start();
      if (i === 3) await c.stop({ t: 0 });
      if (i === 2) await c.remove({ force: true });
    })().catch(() => undefined);
  }
}

describe('kill -9 of berthd at arbitrary moments', () => {
  it('leaves a state the next daemon loads consistently: records match the processes, everything stays removable', async () => {
    for (let round = 0; round < 8; round++) {
      churn(round);
      // Spread over create, start, stop and remove of the churned containers.
      await sleep(20 + ((round * 67) % 400));
      await d.kill();
      await d.restart();
      const containers = await d.docker.listContainers({ all: true });
      const running = new Set<string>();
      for (const summary of containers) {
        const { State, Id } = await d.docker.getContainer(summary.Id).inspect();
        if (State.Running && !State.Restarting) {
          expect(State.Pid).toBeGreaterThan(0);
          expect(isAlive(State.Pid)).toBe(true);
          running.add(Id);
        } else {
          expect(State.Pid).toBe(0);
        }
      }
      // No conmon watches a container the daemon does not consider running.
      const { conmons } = await findLeftovers(d.root);
      for (const pid of conmons) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (!cmdline) continue;
        expect([...running].some((id) => cmdline.includes(id))).toBe(true);
      }
    }
    for (const c of await d.docker.listContainers({ all: true })) await d.docker.getContainer(c.Id).remove({ force: true });
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
  });
});
