import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

describe('volumes across a daemon restart', () => {
  const d = useTestDaemon();

  it('keeps volume data, metadata and references', async () => {
    await d.docker.createVolume({ Name: 'durable', Labels: { keep: 'yes' } });
    const write = await d.dockerCli(['run', '--rm', '-v', 'durable:/data', 'busybox', 'sh', '-c', 'echo survived > /data/f']);
    expect(write.code).toBe(0);
    const holder = (await d.dockerCli(['create', '-v', 'durable:/data', 'busybox', 'true'])).stdout.trim();
    const before = await d.docker.getVolume('durable').inspect();

    await d.restart();

    expect(await d.docker.getVolume('durable').inspect()).toEqual(before);
    const read = await d.dockerCli(['run', '--rm', '-v', 'durable:/data', 'busybox', 'cat', '/data/f']);
    expect(read).toMatchObject({ code: 0, stdout: 'survived\n' });
    const rm = await d.dockerCli(['volume', 'rm', 'durable']);
    expect(rm.stderr).toContain(`remove durable: volume is in use - [${holder}]`);
    expect((await d.dockerCli(['rm', holder])).code).toBe(0);
    expect((await d.dockerCli(['volume', 'rm', 'durable'])).code).toBe(0);
  });

  it('unmounts a driver-mounted volume of a running container when it exits after the restart', async () => {
    await d.dockerCli(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', 'ram-across']);
    const id = (await d.dockerCli(['run', '-d', '-v', 'ram-across:/r', 'busybox', 'sleep', '30'])).stdout.trim();
    const mountpoint = `${d.dataRoot}/volumes/ram-across/_data`;
    expect(await readFile('/proc/self/mountinfo', 'utf8')).toContain(` ${mountpoint} `);
    await d.restart();
    expect((await d.dockerCli(['kill', id])).code).toBe(0);
    expect((await d.dockerCli(['wait', id])).code).toBe(0);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(` ${mountpoint} `);
  });
});
