import { spawn, type ChildProcess } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { ACCEPT_UNPATCHED_RUNC, useTestDaemon } from './harness.js';
import { BERTHD } from './paths.js';

const daemon = useTestDaemon({ checkAllLeftovers: true });
let second: ChildProcess | undefined;

afterAll(async () => {
  if (second && second.exitCode === null) {
    const exited = new Promise((resolve) => second!.once('exit', resolve));
    second.kill('SIGTERM');
    await exited;
  }
});

it('keeps logs across a daemon restart and follows a live-restored container to its exit', async () => {
  const started = await daemon.dockerCli(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'echo before; sleep 3; echo after']);
  expect(started.code).toBe(0);
  for (let i = 0; i < 50 && (await daemon.dockerCli(['logs', 'survivor'])).stdout === ''; i++) await new Promise((r) => setTimeout(r, 100));
  await daemon.kill();

  const args = [BERTHD, '--data-root', daemon.dataRoot, '--exec-root', daemon.execRoot, '-H', daemon.host, '--log-level', 'warn', '--bridge=none', ...ACCEPT_UNPATCHED_RUNC];
  second = spawn(process.execPath, args, { stdio: 'inherit' });
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
