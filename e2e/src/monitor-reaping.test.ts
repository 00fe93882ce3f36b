import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

/** The children of `pid` with their state letter, read from /proc. */
async function childrenOf(pid: number): Promise<Array<{ pid: number; state: string; comm: string }>> {
  const found: Array<{ pid: number; state: string; comm: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // comm may hold spaces and parentheses: the fields after it start behind the last ')'.
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === pid) found.push({ pid: Number(entry), state: state!, comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return found;
}

/** The zombie children of `pid` once they had a moment to be reaped (none, when all goes well). */
async function zombiesLeft(pid: number): Promise<Array<{ pid: number; comm: string }>> {
  let zombies: Array<{ pid: number; comm: string }> = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    zombies = (await childrenOf(pid)).filter((child) => child.state === 'Z');
    if (zombies.length === 0) break;
    await sleep(100);
  }
  return zombies;
}

describe('berthd reaps the conmons it starts', () => {
  const daemon = useTestDaemon();

  it('inherits daemonised conmons as a subreaper and leaves no zombie after containers and TTY execs end', async () => {
    const berthdPid = daemon.process.pid!;
    const running = await daemon.dockerCli(['run', '-d', 'busybox', 'sleep', '300']);
    expect(running.code).toBe(0);
    // A daemonised conmon is re-parented to the nearest subreaper: berthd, not init.
    const monitors = (await childrenOf(berthdPid)).filter((child) => child.comm === 'conmon' && child.state !== 'Z');
    expect(monitors.length).toBeGreaterThanOrEqual(1);

    for (let i = 0; i < 3; i++) expect((await daemon.dockerCli(['run', '--rm', 'busybox', 'true'])).code).toBe(0);
    const exec = await daemon.docker.getContainer(running.stdout.trim()).exec({ Cmd: ['true'], Tty: true, AttachStdout: true });
    const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
    await new Promise((resolve) => stream.on('end', resolve).resume());
    expect((await daemon.dockerCli(['rm', '-f', running.stdout.trim()])).code).toBe(0);

    expect(await zombiesLeft(berthdPid)).toEqual([]);
  });

  it('reaps the processes of health probes killed at their timeout, which berthd inherits from their runc exec', async () => {
    const probed = await daemon.dockerCli(['run', '-d', '--health-cmd', 'sleep 30', '--health-timeout', '200ms', '--health-interval', '100ms', 'busybox', 'sleep', '300']);
    expect(probed.code).toBe(0);
    const id = probed.stdout.trim();
    for (let attempt = 0; attempt < 200; attempt++) {
      const log = (await daemon.docker.getContainer(id).inspect()).State.Health?.Log ?? [];
      if (log.filter((entry) => entry.ExitCode === -1).length >= 3) break;
      await sleep(100);
    }
    expect(await zombiesLeft(daemon.process.pid!)).toEqual([]);
    expect((await daemon.dockerCli(['rm', '-f', id])).code).toBe(0);
  });

  it("leaves no zombie of runc's own helpers when a probe times out while runc exec is still setting it up", async () => {
    // 10 ms is less than runc takes to start a process: the timeout lands while its helpers run.
    const probed = await daemon.dockerCli(['run', '-d', '--health-cmd', 'true', '--health-timeout', '10ms', '--health-interval', '20ms', 'busybox', 'sleep', '300']);
    expect(probed.code).toBe(0);
    const id = probed.stdout.trim();
    let timedOut = 0;
    for (let attempt = 0; attempt < 300 && timedOut < 5; attempt++) {
      timedOut = ((await daemon.docker.getContainer(id).inspect()).State.Health?.Log ?? []).filter((entry) => entry.ExitCode === -1).length;
      await sleep(100);
    }
    expect(timedOut).toBeGreaterThanOrEqual(5);
    // Removed first, so that no probe is under way while the zombies are counted.
    expect((await daemon.dockerCli(['rm', '-f', id])).code).toBe(0);
    expect(await zombiesLeft(daemon.process.pid!)).toEqual([]);
  });
});
