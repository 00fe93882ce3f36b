import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, type CommandResult } from './harness.js';

export const DOCKERD = '/usr/sbin/dockerd';

/** The reference engine (Debian's dockerd 20.10) on sockets and roots of its own, with no networking set up. */
export interface ReferenceDockerd {
  /** The docker CLI against it. */
  docker(args: string[]): Promise<CommandResult>;
  output(): string;
  /** Stops it (SIGTERM, waiting for the exit), unmounts what it left and removes its temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts dockerd with `--bridge=none --iptables=false` so it touches neither the host's network nor its
 * firewall; its own containerd lives under its exec root. Without dockerd installed (tools/setup --test
 * installs docker.io) this throws: the caller decides whether to skip.
 */
export async function startReferenceDockerd(): Promise<ReferenceDockerd> {
  if (!existsSync(DOCKERD)) throw new Error(`${DOCKERD} is not installed (Debian's docker.io; tools/setup --test installs it)`);
  const work = await mkdtemp(join(tmpdir(), 'berth-ref-dockerd-'));
  const socket = join(work, 'docker.sock');
  const execRoot = join(work, 'exec');
  // An empty daemon config: the host's /etc/docker/daemon.json must not change what the tests start.
  const configFile = join(work, 'daemon.json');
  await writeFile(configFile, '{}\n');
  const args = [
    `--config-file=${configFile}`,
    `--host=unix://${socket}`,
    `--data-root=${join(work, 'data')}`,
    `--exec-root=${execRoot}`,
    `--pidfile=${join(work, 'dockerd.pid')}`,
    '--bridge=none',
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
  ];
  let printed = '';
  const daemon: ChildProcess = spawn(DOCKERD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
  daemon.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
  // Its own client config too: a `docker login` must not write the host user's ~/.docker/config.json.
  const docker = (dockerArgs: string[]): Promise<CommandResult> =>
    run('docker', dockerArgs, { env: { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(work, 'docker-config') } });
  const stop = async (): Promise<void> => {
    if (daemon.exitCode === null && daemon.signalCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    // dockerd leaves its default network namespace mounted under the exec root.
    await run('umount', ['-l', join(execRoot, 'netns', 'default')]);
    await rm(work, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 300; attempt++) {
    if (daemon.exitCode !== null) break;
    if (existsSync(socket) && (await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) {
      return { docker, output: () => printed, stop };
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`dockerd did not start:\n${printed}`);
}
