import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLeftovers, useTestDaemon, waitFor } from '../harness.js';
import { recordCounts } from './counts.js';

// Issue 21 item 6: 200 containers created, started and removed through the API, 50 requests in flight at a
// time in each phase, so that all 200 run at once before any is removed. No request may fail, and nothing
// may be left: conmons, runtime state, mounts, container directories, file descriptors of berthd.
// The main suite's lifecycle tests cover one container at a time; this is the same under load.

const CONTAINERS = 200;
const IN_FLIGHT = 50;

const daemon = useTestDaemon({ checkAllLeftovers: true });

/** Runs `task` on every item with at most `limit` in flight; the failures, by item. */
async function eachBounded<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item).catch((err: unknown) => failures.push(`${String(item)}: ${(err as Error).message}`));
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return failures;
}

async function openFdsOfBerthd(): Promise<number> {
  return (await readdir(`/proc/${daemon.process.pid}/fd`)).length;
}

describe(`${CONTAINERS} containers at once`, () => {
  it(`are created, started and removed, ${IN_FLIGHT} requests in flight, without an error or a leak`, async () => {
    const names = Array.from({ length: CONTAINERS }, (_, i) => `load-${i}`);
    const fdsBefore = await openFdsOfBerthd();
    const failures: string[] = [];
    try {
      failures.push(
        ...(await eachBounded(names, IN_FLIGHT, (name) =>
          daemon.docker.createContainer({ name, Image: 'busybox', Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' } }),
        )),
      );
      expect(failures, 'create').toEqual([]);
      failures.push(...(await eachBounded(names, IN_FLIGHT, (name) => daemon.docker.getContainer(name).start())));
      expect(failures, 'start').toEqual([]);
      const running = await daemon.docker.listContainers({ filters: { status: ['running'] } });
      expect(running).toHaveLength(CONTAINERS);
      failures.push(...(await eachBounded(names, IN_FLIGHT, (name) => daemon.docker.getContainer(name).remove({ force: true }))));
      expect(failures, 'remove').toEqual([]);

      expect(await daemon.docker.listContainers({ all: true })).toEqual([]);
      expect(await findLeftovers(daemon.root)).toEqual({ mounts: [], conmons: [], runtimeState: [] });
      const containersDir = join(daemon.dataRoot, 'containers');
      expect((await readdir(containersDir)).filter((name) => name !== '.trash')).toEqual([]);
      // The engine empties its trash asynchronously.
      await waitFor(async () => (await readdir(join(containersDir, '.trash'))).length === 0, 'the containers\' trash is empty');
      // Idle keep-alive sockets of the client aside, what 200 containers opened is closed again.
      expect(await openFdsOfBerthd()).toBeLessThanOrEqual(fdsBefore + IN_FLIGHT);
    } finally {
      recordCounts('exhaustion-load', { containers: CONTAINERS, inFlight: IN_FLIGHT, requests: 3 * CONTAINERS, failures: failures.length });
    }
  });
});
