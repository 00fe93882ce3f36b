import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, run, useTestDaemon } from './harness.js';
import { BERTH } from './paths.js';
import { freePort } from './registry-harness.js';

/** OpenSSH's server, unpacked by `tools/setup --test` off the system's PATH (with libwrap beside it). */
const SSHD = '/opt/berth/test-tools/usr/sbin/sshd';
const SSHD_LIBRARIES = '/opt/berth/test-tools/usr/lib/x86_64-linux-gnu';

const d = useTestDaemon();
let work: string;
let port: number;
let sshd: ChildProcess;
/** berth with an `ssh` on PATH that uses the test's key and trusts the test's server. */
let viaSsh: (args: string[], input?: string) => ReturnType<typeof run>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-ssh-'));
  port = await freePort();
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'host-key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'user-key')]);
  await writeFile(join(work, 'authorized_keys'), await readFile(join(work, 'user-key.pub')), { mode: 0o600 });
  // The remote side runs this checkout's berth with this Node.
  const remoteBin = join(work, 'remote-bin');
  await mkdir(remoteBin);
  await symlink(BERTH, join(remoteBin, 'berth'));
  // sshd's privilege-separation directory (empty, harmless) is left in place: another run may be using it.
  await mkdir('/run/sshd', { recursive: true });
  await writeFile(
    join(work, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(work, 'host-key')}`,
      `AuthorizedKeysFile ${join(work, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `SetEnv PATH=${remoteBin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      '',
    ].join('\n'),
  );
  sshd = spawn(SSHD, ['-D', '-e', '-f', join(work, 'sshd_config')], { env: { ...process.env, LD_LIBRARY_PATH: SSHD_LIBRARIES }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sshd.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (log.includes('Server listening')) resolve();
      else if (sshd.exitCode !== null) reject(new Error(`sshd exited: ${log}`));
      else return;
      clearInterval(check);
    }, 50);
  });
  await writeFile(join(work, 'ssh_config'), `Host *\n  IdentityFile ${join(work, 'user-key')}\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n`);
  // ssh reads ~/.ssh of the user's passwd entry, not $HOME: its config is given on the command line by a wrapper.
  const clientBin = join(work, 'client-bin');
  await mkdir(clientBin);
  await writeFile(join(clientBin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(work, 'ssh_config')} "$@"\n`);
  await chmod(join(clientBin, 'ssh'), 0o755);
  const env = { PATH: `${clientBin}:${process.env.PATH}`, DOCKER_HOST: '', BERTH_HOST: '', DOCKER_CONFIG: join(work, 'docker-config') };
  viaSsh = (args, input) => run(process.execPath, [BERTH, ...args], { env, ...(input !== undefined && { input }) });
  expect((await d.dockerCli(['load', '-i', await busyboxArchive()])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  if (sshd && sshd.exitCode === null) {
    sshd.kill();
    await new Promise((resolve) => sshd.once('exit', resolve));
  }
  await rm(work, { recursive: true, force: true });
});

describe('ssh:// daemon hosts', () => {
  it("reaches the daemon through ssh and the remote CLI's system dial-stdio, attached streams included", async () => {
    const host = `ssh://root@127.0.0.1:${port}${d.socket}`;
    const version = await viaSsh(['-H', host, 'version', '--format', '{{.Server.APIVersion}}']);
    expect(version.stdout.trim(), version.stderr).toBe('1.47');
    const ran = await viaSsh(['-H', host, 'run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo over-ssh'], 'stdin in\n');
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('stdin in\nover-ssh\n');
    expect(ran.code).toBe(0);
  });

  it('uses an ssh host stored in a context', async () => {
    const host = `ssh://root@127.0.0.1:${port}${d.socket}`;
    const created = await viaSsh(['context', 'create', 'over-ssh', '--docker', `host=${host}`]);
    expect(created.code, created.stderr).toBe(0);
    const listed = await viaSsh(['--context', 'over-ssh', 'ps', '-a', '--format', '{{.ID}}']);
    expect(listed.code, listed.stderr).toBe(0);
  });

  it("fails with ssh's reason when ssh cannot connect", async () => {
    const closed = await freePort();
    const failed = await viaSsh(['-H', `ssh://root@127.0.0.1:${closed}${d.socket}`, 'version', '--format', '{{.Server.APIVersion}}']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`error during connect: command [ssh -o ConnectTimeout=30 -T -l root -p ${closed} -- 127.0.0.1 berth --host unix://${d.socket} system dial-stdio] has exited with exit status 255`);
    expect(failed.stderr).toContain('Connection refused');
  });
});
