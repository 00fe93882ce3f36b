import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon({ checkAllLeftovers: true });

async function inspect(id: string) {
  return d.docker.getContainer(id).inspect();
}

/** Polls inspect until `done` holds (restart backoffs are short: 100 ms doubling). */
async function until(id: string, done: (c: Awaited<ReturnType<typeof inspect>>) => boolean, budgetMs = 20_000) {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const c = await inspect(id);
    if (done(c)) return c;
    if (Date.now() > deadline) throw new Error(`timed out; last state ${JSON.stringify(c.State)} RestartCount ${c.RestartCount}`);
    await sleep(50);
  }
}

async function runDetached(args: string[], cli: 'docker' | 'berth' = 'docker'): Promise<string> {
  const run = await (cli === 'docker' ? d.dockerCli : d.berth)(['run', '-d', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

describe('restart policies', () => {
  it.each(['docker', 'berth'] as const)('on-failure:2 (run through %s) restarts a failing container exactly twice, then leaves it exited', async (cli) => {
    const id = await runDetached(['--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1'], cli);
    const final = await until(id, (c) => c.State.Status === 'exited');
    expect(final.RestartCount).toBe(2);
    expect(final.State.ExitCode).toBe(1);
    expect(final.State.Restarting).toBe(false);
    expect(final.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    await sleep(1000);
    const later = await inspect(id);
    expect(later.State.Status).toBe('exited');
    expect(later.RestartCount).toBe(2);
  });

  it('on-failure does not restart a container that exits 0', async () => {
    const id = await runDetached(['--restart', 'on-failure', 'busybox', 'true']);
    const final = await until(id, (c) => c.State.Status === 'exited');
    await sleep(500);
    expect((await inspect(id)).RestartCount).toBe(0);
    expect(final.State.ExitCode).toBe(0);
  });

  it('always restarts until docker stop, which cancels it; docker start resets RestartCount', async () => {
    const id = await runDetached(['--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2; exit 3']);
    await until(id, (c) => c.RestartCount >= 2);
    const stop = await d.dockerCli(['stop', '-t', '1', id]);
    expect(stop.code).toBe(0);
    const stopped = await inspect(id);
    expect(stopped.State.Status).toBe('exited');
    expect(stopped.State.Running).toBe(false);
    const count = stopped.RestartCount;
    await sleep(1500);
    const later = await inspect(id);
    expect(later.State.Status).toBe('exited');
    expect(later.RestartCount).toBe(count);

    expect((await d.dockerCli(['start', id])).code).toBe(0);
    const started = await inspect(id);
    expect(started.RestartCount).toBe(0);
    expect(started.State.Running).toBe(true);
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it('shows a container in backoff as restarting, and rm -f removes it', async () => {
    // Crash-looping: after a few restarts the backoff (0.1 s doubling) is long enough to observe.
    const id = await runDetached(['--restart', 'always', 'busybox', 'sh', '-c', 'exit 2']);
    const restarting = await until(id, (c) => c.State.Restarting && c.RestartCount >= 3);
    expect(restarting.State).toMatchObject({ Status: 'restarting', Running: true, Restarting: true, Pid: 0, ExitCode: 2 });
    const ps = await d.dockerCli(['ps', '-a', '--filter', `id=${id}`, '--format', '{{.Status}}']);
    expect(ps.stdout).toMatch(/^Restarting \(2\) /);
    const rm = await d.dockerCli(['rm', id]);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('container is restarting: stop the container before removing or force remove');
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
    expect((await d.dockerCli(['inspect', id])).code).toBe(1);
  });

  it('restarts a --pid=host container whose child outlived its init with one overlay over its upper dir', async () => {
    // The first run's child, in the host's pid namespace, outlives init and holds the root until the runtime
    // delete kills it; the restarted run (its upper dir keeps /restarted) stays up to be looked at.
    const script = 'if [ -e /restarted ]; then exec sleep 600; fi; touch /restarted; sleep 30 & exit 1';
    const id = await runDetached(['--pid=host', '--restart=always', 'busybox', 'sh', '-c', script]);
    await until(id, (c) => c.RestartCount >= 1 && c.State.Status === 'running');
    const upper = `upperdir=${join(d.dataRoot, 'containers', id, 'upper')}`;
    const overlays = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.split(/[ ,]/).includes(upper));
    expect(overlays).toHaveLength(1);
    const rm = await d.dockerCli(['rm', '-f', id]);
    expect(rm.code, rm.stderr).toBe(0);
  });

  it('refuses AutoRemove together with a restart policy', async () => {
    const err = await d.docker
      .createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } })
      .then(() => null, (e: { statusCode?: number; message: string }) => e);
    expect(err?.statusCode).toBe(400);
    expect(err?.message).toContain("can't create 'AutoRemove' container with restart policy");
  });

  it('on daemon start, starts always containers (even stopped ones) and unless-stopped ones not stopped by the user', async () => {
    const always = await runDetached(['--restart', 'always', 'busybox', 'sleep', '600']);
    const unlessStopped = await runDetached(['--restart', 'unless-stopped', 'busybox', 'sleep', '600']);
    const unlessStoppedExited = await runDetached(['--restart', 'unless-stopped', 'busybox', 'sh', '-c', 'sleep 600']);
    const none = await runDetached(['busybox', 'sleep', '600']);
    for (const id of [always, unlessStopped, none]) expect((await d.dockerCli(['stop', '-t', '0', id])).code).toBe(0);
    // The one not stopped by the user dies while the daemon is down.
    const pid = (await inspect(unlessStoppedExited)).State.Pid;
    await d.kill();
    process.kill(pid, 'SIGKILL');
    await sleep(300);
    await d.restart();
    expect((await inspect(always)).State.Running).toBe(true);
    expect((await inspect(unlessStopped)).State.Status).toBe('exited');
    const revived = await inspect(unlessStoppedExited);
    expect(revived.State.Running).toBe(true);
    expect(revived.State.Pid).not.toBe(pid);
    expect((await inspect(none)).State.Status).toBe('exited');
    for (const id of [always, unlessStopped, unlessStoppedExited, none]) expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });
});
