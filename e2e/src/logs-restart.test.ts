import { spawn, type ChildProcess } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { busyboxArchive, startTestDaemon, type TestDaemon } from './harness.js';
import { BERTHD } from './paths.js';

let daemon: TestDaemon;
let second: ChildProcess | undefined;

beforeAll(async () => {
  daemon = await startTestDaemon();
  await daemon.berth(['load', '-i', await busyboxArchive()]);
});

afterAll(async () => {
  if (second && second.exitCode === null) {
    const exited = new Promise((resolve) => second!.once('exit', resolve));
    second.kill('SIGTERM');
    await exited;
  }
  const leftovers = await daemon.cleanup();
  expect(leftovers).toEqual({ mounts: [], conmons: [], runtimeState: [] });
});

it('keeps logs across a daemon restart and follows a live-restored container to its exit', async () => {
  const started = await daemon.dockerCli(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'echo before; sleep 3; echo after']);
  expect(started.code).toBe(0);
  for (let i = 0; i < 50 && (await daemon.dockerCli(['logs', 'survivor'])).stdout === ''; i++) await new Promise((r) => setTimeout(r, 100));
  await daemon.kill();

  second = spawn(process.execPath, [BERTHD, '--data-root', daemon.dataRoot, '--exec-root', daemon.execRoot, '-H', daemon.host, '--log-level', 'warn'], { stdio: 'inherit' });
  const docker = new Docker({ socketPath: daemon.socket });
  for (let i = 0; ; i++) {
    try {
      await docker.ping();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  expect((await daemon.dockerCli(['logs', 'survivor'])).stdout).toMatch(/^before\n/);
  const followed = await daemon.dockerCli(['logs', '-f', 'survivor']);
  expect(followed.stdout).toBe('before\nafter\n');
  await docker.getContainer('survivor').remove({ force: true });
}, 60_000);
