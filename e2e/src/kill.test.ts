import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runDetached, useTestDaemon } from './harness.js';

const d = useTestDaemon({ checkAllLeftovers: true });

/** Waits until the container printed `ready`, so a signal handler it sets up is in place. */
async function untilReady(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await d.dockerCli(['logs', id])).stdout.includes('ready')) return;
    await sleep(50);
  }
  throw new Error(`container ${id} never got ready`);
}

describe('docker kill', () => {
  it('answers a SIGKILL once the container has exited, so dockerode can remove it right away', async () => {
    for (let i = 0; i < 5; i++) {
      const container = await d.docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'] });
      await container.start();
      await container.kill();
      expect((await container.inspect()).State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 137 });
      await container.remove();
    }
  });

  it('lets the docker CLI remove a killed container at once, with or without a signal name', async () => {
    for (const signal of [[], ['-s', 'KILL'], ['-s', '9']]) {
      const id = await runDetached(d, ['busybox', 'sleep', '600']);
      expect(await d.dockerCli(['kill', ...signal, id])).toMatchObject({ code: 0, stdout: `${id}\n` });
      expect(await d.dockerCli(['rm', id])).toMatchObject({ code: 0, stderr: '' });
    }
  });

  it('keeps a container with restart policy always down after a kill, as docker stop does', async () => {
    const id = await runDetached(d, ['--restart', 'always', 'busybox', 'sleep', '600']);
    expect((await d.dockerCli(['kill', id])).code).toBe(0);
    await sleep(1000);
    const killed = await d.docker.getContainer(id).inspect();
    expect(killed.State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    expect(killed.RestartCount).toBe(0);
    expect((await d.dockerCli(['rm', id])).code).toBe(0);
  });

  it('leaves the restart policy in force for a signal other than the stop signal, as moby does', async () => {
    const script = 'trap "exit 5" TERM; echo ready; while true; do sleep 0.1; done';
    const id = await runDetached(d, ['--restart', 'always', '--stop-signal', 'USR1', 'busybox', 'sh', '-c', script]);
    await untilReady(id);
    expect((await d.dockerCli(['kill', '-s', 'TERM', id])).code).toBe(0);
    for (let i = 0; i < 100 && (await d.docker.getContainer(id).inspect()).RestartCount === 0; i++) await sleep(100);
    expect((await d.docker.getContainer(id).inspect()).RestartCount).toBe(1);
    // The stop signal itself ends the policy, as `docker stop` would.
    const other = await runDetached(d, ['--restart', 'always', 'busybox', 'sh', '-c', script]);
    await untilReady(other);
    expect((await d.dockerCli(['kill', '-s', 'TERM', other])).code).toBe(0);
    for (let i = 0; i < 50 && (await d.docker.getContainer(other).inspect()).State.Running; i++) await sleep(100);
    await sleep(1000);
    expect(await d.docker.getContainer(other).inspect()).toMatchObject({ RestartCount: 0, State: { Status: 'exited', ExitCode: 5 } });
  });

  it("refuses a signal that does not exist with moby's message, before looking the container up", async () => {
    const id = await runDetached(d, ['busybox', 'sleep', '600']);
    const bad = await d.dockerCli(['kill', '-s', 'SIGNOPE', id]);
    expect(bad.code).toBe(1);
    // dockerd 28's kill route puts its context before every refusal.
    expect(bad.stderr).toContain(`Error response from daemon: cannot kill container: ${id}: Invalid signal: SIGNOPE`);
    await expect(d.docker.getContainer('no-such-container').kill({ signal: '0' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(d.docker.getContainer(id).kill({ signal: '100' })).rejects.toMatchObject({
      statusCode: 400,
      json: { message: `cannot kill container: ${id}: the linux daemon does not support signal 100` },
    });
    expect((await d.docker.getContainer(id).inspect()).State.Running).toBe(true);
  });
});

describe('docker stop', () => {
  it('delivers a real-time stop signal, from the container config or from -s, by its number', async () => {
    const script = 'trap "exit 7" 37; trap "exit 8" 38; echo ready; while true; do sleep 0.1; done';
    for (const [runFlags, stopFlags, exitCode] of [
      [['--stop-signal', 'SIGRTMIN+3'], [], 7],
      [[], ['-s', 'RTMIN+4'], 8],
    ] as const) {
      const id = await runDetached(d, [...runFlags, 'busybox', 'sh', '-c', script]);
      await untilReady(id);
      // A long grace period: a signal not delivered would show as SIGKILL's 137.
      expect((await d.dockerCli(['stop', '-t', '60', ...stopFlags, id])).code).toBe(0);
      expect((await d.docker.getContainer(id).inspect()).State).toMatchObject({ Status: 'exited', ExitCode: exitCode });
      expect((await d.dockerCli(['rm', id])).code).toBe(0);
    }
  }, 150_000);
});
