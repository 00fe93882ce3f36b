import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runDetached, useTestDaemon } from './harness.js';

const d = useTestDaemon({ checkAllLeftovers: true });

const inspect = (id: string) => d.docker.getContainer(id).inspect();

/** Resolves with the first output the container sends to a fresh attach. */
async function firstAttachedOutput(id: string): Promise<string> {
  const stream = (await d.docker.getContainer(id).attach({ stream: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream & { destroy(): void };
  const out = new PassThrough();
  d.docker.modem.demuxStream(stream, out, out);
  const chunk = await new Promise<Buffer>((resolve) => out.once('data', resolve));
  stream.destroy();
  return chunk.toString();
}

describe('live restore', () => {
  it('keeps containers through kill -9 of berthd and re-adopts them as Docker with live-restore would', async () => {
    const always = await runDetached(d, ['--restart', 'always', 'busybox', 'sh', '-c', 'sleep 2']);
    const long = await runDetached(d, ['busybox', 'sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done']);
    const autoRemoved = await runDetached(d, ['--rm', 'busybox', 'sh', '-c', 'sleep 1']);
    const longBefore = await inspect(long);
    const alwaysBefore = await inspect(always);
    const logSizeAtKill = (await stat(longBefore.LogPath)).size;

    await d.kill();
    const killedAt = Date.now();
    await sleep(4000);
    // conmon kept logging while no daemon was there.
    expect((await stat(longBefore.LogPath)).size).toBeGreaterThan(logSizeAtKill);
    await d.restart();
    const restartedAt = Date.now();

    // --rm container that exited meanwhile: removed.
    expect((await d.dockerCli(['inspect', autoRemoved])).code).toBe(1);

    // --restart always container that exited meanwhile: exit recorded, started again, RestartCount reset (moby's restore).
    const revived = await inspect(always);
    expect(revived.State.Running).toBe(true);
    expect(revived.RestartCount).toBe(0);
    expect(Date.parse(revived.State.StartedAt)).toBeGreaterThan(killedAt);
    const finishedAt = Date.parse(revived.State.FinishedAt);
    expect(finishedAt).toBeGreaterThan(Date.parse(alwaysBefore.State.StartedAt));
    expect(finishedAt).toBeLessThan(restartedAt);
    expect(finishedAt).toBeGreaterThan(killedAt - 1000);

    // The long-running one was never interrupted.
    const adopted = await inspect(long);
    expect(adopted.State).toMatchObject({ Status: 'running', Running: true, Pid: longBefore.State.Pid, StartedAt: longBefore.State.StartedAt });
    expect(adopted.RestartCount).toBe(0);
    const ps = await d.dockerCli(['ps', '--format', '{{.ID}}']);
    expect(ps.stdout.split('\n')).toEqual(expect.arrayContaining([long.slice(0, 12), always.slice(0, 12)]));

    // Attach and logs work on the re-adopted container; its log continued across the gap.
    expect(await firstAttachedOutput(long)).toMatch(/^line \d+/);
    const logs = await d.dockerCli(['logs', long]);
    expect(logs.code).toBe(0);
    const numbers = logs.stdout.trim().split('\n').map((line) => Number(line.replace('line ', '')));
    expect(numbers).toEqual(numbers.map((_, i) => i));
    // 0.2 s apart, across the 4 s without a daemon.
    expect(numbers.length).toBeGreaterThan(20);

    // Stop and wait work on it.
    const waited = d.dockerCli(['wait', long]);
    const stop = await d.dockerCli(['stop', '-t', '1', long]);
    expect(stop.code).toBe(0);
    expect((await waited).stdout.trim()).toBe('137');
    expect((await inspect(long)).State).toMatchObject({ Status: 'exited', ExitCode: 137 });

    for (const id of [long, always]) expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it('leaves containers running across a clean shutdown (SIGTERM)', async () => {
    const id = await runDetached(d, ['busybox', 'sleep', '600']);
    const before = await inspect(id);
    await d.restart();
    const after = await inspect(id);
    expect(after.State).toMatchObject({ Running: true, Pid: before.State.Pid, StartedAt: before.State.StartedAt });
    expect((await d.dockerCli(['kill', id])).code).toBe(0);
    expect((await d.dockerCli(['wait', id])).stdout.trim()).toBe('137');
    expect((await d.dockerCli(['rm', id])).code).toBe(0);
  });

  it('restarts a container whose daemon died during its restart backoff', async () => {
    const id = await runDetached(d, ['--restart', 'always', 'busybox', 'sh', '-c', 'exit 5']);
    // After a few quick crashes the backoff grows past a second, a window to kill the daemon in.
    for (let c = await inspect(id); !(c.State.Restarting && c.RestartCount >= 4); c = await inspect(id)) await sleep(20);
    await d.kill();
    const killedAt = Date.now();
    await d.restart();
    const deadline = Date.now() + 5000;
    let c = await inspect(id);
    while (Date.parse(c.State.StartedAt) < killedAt && Date.now() < deadline) {
      await sleep(50);
      c = await inspect(id);
    }
    expect(Date.parse(c.State.StartedAt)).toBeGreaterThan(killedAt);
    expect(c.RestartCount).toBeLessThan(4);
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });
});
