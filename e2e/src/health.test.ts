import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runDetached, useTestDaemon } from './harness.js';

const d = useTestDaemon({ checkAllLeftovers: true });

interface Health {
  Status: string;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

async function health(id: string): Promise<Health | undefined> {
  return ((await d.docker.getContainer(id).inspect()).State as { Health?: Health }).Health;
}

async function untilHealth(id: string, done: (h: Health) => boolean, budgetMs = 15_000): Promise<Health> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const h = await health(id);
    if (h && done(h)) return h;
    if (Date.now() > deadline) throw new Error(`timed out; last health ${JSON.stringify(h)}`);
    await sleep(50);
  }
}

describe('health checks', () => {
  it('goes starting → unhealthy → healthy with --health-* flags, with events and ps status', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    const id = await runDetached(d, [
      '--health-cmd', 'cat /tmp/ok',
      '--health-interval', '300ms',
      '--health-retries', '2',
      'busybox', 'sh', '-c', 'sleep 2.5; echo fine > /tmp/ok; sleep 600',
    ]);
    const config = (await d.docker.getContainer(id).inspect()).Config.Healthcheck;
    expect(config).toMatchObject({ Test: ['CMD-SHELL', 'cat /tmp/ok'], Interval: 300_000_000, Retries: 2 });
    expect((await health(id))?.Status).toBe('starting');
    expect((await d.dockerCli(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}'])).stdout).toMatch(/^Up .* \(health: starting\)\n$/);

    const unhealthy = await untilHealth(id, (h) => h.Status === 'unhealthy');
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(unhealthy.Log.at(-1)).toMatchObject({ ExitCode: 1, Output: expect.stringContaining('No such file or directory') });

    const healthy = await untilHealth(id, (h) => h.Status === 'healthy');
    expect(healthy.FailingStreak).toBe(0);
    expect(healthy.Log.length).toBeLessThanOrEqual(5);
    expect(healthy.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    for (const entry of healthy.Log) expect(Date.parse(entry.End)).toBeGreaterThanOrEqual(Date.parse(entry.Start));
    expect((await d.dockerCli(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}'])).stdout).toMatch(/^Up .* \(healthy\)\n$/);

    const events = await d.dockerCli(['events', '--since', since, '--until', (Date.now() / 1000).toFixed(3), '--filter', 'event=health_status']);
    const actions = events.stdout.trim().split('\n').map((line) => line.split(' ').slice(2, 4).join(' '));
    expect(actions).toEqual(['health_status: unhealthy', 'health_status: healthy']);

    await sleep(2000);
    expect((await health(id))?.Log.length).toBe(5);
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it('fails a probe that exceeds its timeout with exit code -1 and kills it', async () => {
    const id = await runDetached(d, ['--health-cmd', 'sleep 30', '--health-timeout', '300ms', '--health-interval', '200ms', '--health-retries', '1', 'busybox', 'sleep', '600']);
    const h = await untilHealth(id, (x) => x.Status === 'unhealthy');
    expect(h.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (300ms)' });
    const top = await d.dockerCli(['top', id]);
    if (top.code === 0) expect(top.stdout.match(/sleep 30/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it('caps probe output at 4096 bytes (flags through berth run)', async () => {
    const run = await d.berth(['run', '-d', '--health-cmd', 'head -c 5000 /dev/zero | tr "\\0" a', '--health-interval', '200ms', 'busybox', 'sleep', '600']);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    const h = await untilHealth(id, (x) => x.Status === 'healthy');
    expect(h.Log[0]?.Output).toBe(`${'a'.repeat(4096)}...`);
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it('runs a CMD probe through dockerode as the container user', async () => {
    const container = await d.docker.createContainer({
      Image: 'busybox',
      Cmd: ['sleep', '600'],
      User: '33',
      Healthcheck: { Test: ['CMD', 'sh', '-c', 'id -u; test "$(id -u)" = 33'], Interval: 200_000_000 },
    });
    await container.start();
    const h = await untilHealth(container.id, (x) => x.Status !== 'starting');
    expect(h).toMatchObject({ Status: 'healthy', Log: [expect.objectContaining({ ExitCode: 0, Output: '33\n' })] });
    await container.remove({ force: true });
  });

  it('does not count failures during the start period', async () => {
    const id = await runDetached(d, [
      '--health-cmd', 'false',
      '--health-interval', '200ms',
      '--health-start-period', '30s',
      '--health-start-interval', '200ms',
      '--health-retries', '1',
      'busybox', 'sleep', '600',
    ]);
    const h = await untilHealth(id, (x) => x.Log.length >= 3);
    expect(h).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it("uses the image's HEALTHCHECK, with --health-* flags laid over it", async () => {
    const source = await runDetached(d, ['--health-cmd', 'echo from-image', '--health-interval', '200ms', '--health-retries', '4', 'busybox', 'sleep', '600']);
    expect((await d.dockerCli(['commit', source, 'hc-image'])).code).toBe(0);
    expect((await d.dockerCli(['rm', '-f', source])).code).toBe(0);
    const imageConfig = (await d.docker.getImage('hc-image').inspect()).Config.Healthcheck;
    expect(imageConfig).toMatchObject({ Test: ['CMD-SHELL', 'echo from-image'], Interval: 200_000_000, Retries: 4 });

    const inherited = await runDetached(d, ['hc-image', 'sleep', '600']);
    expect((await untilHealth(inherited, (h) => h.Status === 'healthy')).Log[0]?.Output).toBe('from-image\n');
    const overlaid = await runDetached(d, ['--health-cmd', 'echo from-flag', 'hc-image', 'sleep', '600']);
    expect((await d.docker.getContainer(overlaid).inspect()).Config.Healthcheck).toMatchObject({ Test: ['CMD-SHELL', 'echo from-flag'], Interval: 200_000_000, Retries: 4 });
    expect((await untilHealth(overlaid, (h) => h.Status === 'healthy')).Log[0]?.Output).toBe('from-flag\n');
    const disabled = await runDetached(d, ['--no-healthcheck', 'hc-image', 'sleep', '600']);
    await sleep(500);
    expect(await health(disabled)).toBeUndefined();
    for (const id of [inherited, overlaid, disabled]) expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
    expect((await d.dockerCli(['rmi', 'hc-image'])).code).toBe(0);
  });

  it('has no health state with --no-healthcheck, and rejects intervals under 1ms', async () => {
    const id = await runDetached(d, ['--no-healthcheck', 'busybox', 'sleep', '600']);
    await sleep(300);
    expect(await health(id)).toBeUndefined();
    expect((await d.dockerCli(['rm', '-f', id])).code).toBe(0);
    const err = await d.docker
      .createContainer({ Image: 'busybox', Cmd: ['true'], Healthcheck: { Test: ['CMD', 'true'], Interval: 1000 } })
      .then(() => null, (e: { statusCode?: number; message: string }) => e);
    expect(err?.statusCode).toBe(400);
    expect(err?.message).toContain('Interval in Healthcheck cannot be less than 1ms');
  });
});
