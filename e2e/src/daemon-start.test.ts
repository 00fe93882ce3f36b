import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_UNPATCHED_RUNC, startTestDaemon, type TestDaemon } from './harness.js';
import { BERTHD } from './paths.js';

const execFileAsync = promisify(execFile);

interface Started {
  /** Set when berthd exited before serving. */
  exit?: { code: number | null; stderr: string };
  /** Mode of the socket file the first time it was seen. */
  firstMode?: number;
  socket: string;
  /** What berthd logged (to stdout) so far. */
  log(): string;
  stop(): Promise<void>;
  pid: number;
}

/** Spawns berthd on fresh roots and waits until it serves (the socket answers) or exits. */
async function spawnBerthd(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const root = await mkdtemp('/tmp/berth-start-');
  const socket = join(root, 'berth.sock');
  const child = spawn(process.execPath, [BERTHD, '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '-H', `unix://${socket}`, '--log-level', 'warn', '--bridge=none', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started: Started = {
    socket,
    pid: child.pid!,
    log: () => stdout,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(root, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 20_000; i++) {
    if (child.exitCode !== null) {
      await exited;
      started.exit = { code: child.exitCode, stderr };
      return started;
    }
    if (started.firstMode === undefined && existsSync(socket)) started.firstMode = lstatSync(socket).mode & 0o777;
    if (started.firstMode !== undefined) {
      const ping = await execFileAsync('docker', ['-H', `unix://${socket}`, 'version', '--format', '{{.Server.Version}}']).catch(() => undefined);
      if (ping) return started;
    }
    await sleep(started.firstMode === undefined ? 1 : 50);
  }
  throw new Error(`berthd neither served nor exited: ${stderr}`);
}

const hostRunc = execFileSync('runc', ['--version']).toString();
/** Debian bookworm's runc: 1.1.5 with the CVE-2024-21626 fix backported, but none for the 2025 breakouts. */
const bookwormRunc = /^runc version 1\.1\.5\+ds1$/m.test(hostRunc) && /1\.1\.5\+ds1-1\+deb12u1/.test(hostRunc);

describe('berthd refuses a runtime without the fixes for known breakouts', () => {
  it.runIf(bookwormRunc)("refuses this machine's runc by default, in one line naming each CVE", async () => {
    const started = await spawnBerthd([]);
    await started.stop();
    expect(started.exit?.code).toBe(1);
    const lines = started.exit!.stderr.trim().split('\n');
    expect(lines).toEqual([
      'berthd: runc 1.1.5+ds1 (/usr/sbin/runc) lacks the fixes for container breakouts CVE-2025-31133, CVE-2025-52565, CVE-2025-52881 (fixed in runc 1.2.8, 1.3.3, 1.4.0-rc.3): upgrade it, or run at that risk with --allow-unpatched-runtime=CVE-2025-31133 --allow-unpatched-runtime=CVE-2025-52565 --allow-unpatched-runtime=CVE-2025-52881',
    ]);
    // Debian's changelog names CVE-2024-21626, whose fix it backported: that one is not held against it.
    expect(lines[0]).not.toContain('CVE-2024-21626');
  });

  it.runIf(bookwormRunc)('refuses when only some of the CVEs are accepted', async () => {
    const started = await spawnBerthd(['--allow-unpatched-runtime=CVE-2025-31133']);
    await started.stop();
    expect(started.exit?.code).toBe(1);
    expect(started.exit?.stderr).toMatch(/lacks the fixes for container breakouts CVE-2025-52565, CVE-2025-52881 \(fixed in/);
  });

  it.runIf(bookwormRunc)('serves once each CVE is accepted, and says so in its log and in docker info', async () => {
    const started = await spawnBerthd(ACCEPT_UNPATCHED_RUNC);
    try {
      expect(started.exit).toBeUndefined();
      expect(started.log()).toContain('"msg":"running runc 1.1.5+ds1 (/usr/sbin/runc) without the fixes for CVE-2025-31133, CVE-2025-52565, CVE-2025-52881');
      const info = await execFileAsync('docker', ['-H', `unix://${started.socket}`, 'info', '--format', '{{json .Warnings}}']);
      expect(JSON.parse(info.stdout)).toEqual([
        'WARNING: running runc 1.1.5+ds1 (/usr/sbin/runc) without the fixes for CVE-2025-31133, CVE-2025-52565, CVE-2025-52881 (allowed by --allow-unpatched-runtime): a container may break out to the host',
      ]);
    } finally {
      await started.stop();
    }
  });

  it('starts without a word with a runc whose version has the fixes', async () => {
    const bin = await mkdtemp('/tmp/berth-runc-');
    try {
      // Only `runc --version` runs while berthd starts; no container is run with this stand-in.
      await writeFile(join(bin, 'runc'), '#!/bin/sh\necho "runc version 1.3.3"\n');
      await chmod(join(bin, 'runc'), 0o755);
      const started = await spawnBerthd([], { ...process.env, PATH: `${bin}:${process.env.PATH}` });
      try {
        expect(started.exit).toBeUndefined();
        const info = await execFileAsync('docker', ['-H', `unix://${started.socket}`, 'info', '--format', '{{json .Warnings}}']);
        expect(JSON.parse(info.stdout)).toEqual([]);
      } finally {
        await started.stop();
      }
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});

describe('the berthd executable', () => {
  // Every other test starts `node berthd.js`; this one runs the file as an installed berthd runs, through its
  // shebang and the V8 flags on it: a Node whose V8 no longer knows one of them refuses to start ("bad option").
  it('runs through its shebang, V8 flags included', async () => {
    const { stdout } = await execFileAsync(BERTHD, ['--version']);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('the API socket', () => {
  const group = `berthsock${process.pid}`;
  let gid: number;

  beforeAll(async () => {
    await execFileAsync('groupadd', [group]);
    const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith(`${group}:`))!;
    gid = Number(line.split(':')[2]);
  });

  afterAll(async () => {
    await execFileAsync('groupdel', [group]);
  });

  it('is 0660 from its first appearance and belongs to the --group group; the umask is restored', async () => {
    const started = await spawnBerthd([...ACCEPT_UNPATCHED_RUNC, '--group', group]);
    try {
      expect(started.exit).toBeUndefined();
      expect(started.firstMode?.toString(8)).toBe('660');
      const socket = await stat(started.socket);
      expect((socket.mode & 0o777).toString(8)).toBe('660');
      expect({ uid: socket.uid, gid: socket.gid }).toEqual({ uid: 0, gid });
      const status = await readFile(`/proc/${started.pid}/status`, 'utf8');
      expect(/^Umask:\s+(\d+)$/m.exec(status)?.[1]).toBe(process.umask().toString(8).padStart(4, '0'));
    } finally {
      await started.stop();
    }
  });

  it('is root:root 0660 when the default group "berth" does not exist', async () => {
    expect((await readFile('/etc/group', 'utf8')).split('\n').some((l) => l.startsWith('berth:'))).toBe(false);
    const daemon: TestDaemon = await startTestDaemon();
    try {
      const socket = await stat(daemon.socket);
      expect({ mode: (socket.mode & 0o777).toString(8), uid: socket.uid, gid: socket.gid }).toEqual({ mode: '660', uid: 0, gid: 0 });
    } finally {
      await daemon.cleanup();
    }
  });

  it('refuses to start with a --group that does not exist', async () => {
    const started = await spawnBerthd([...ACCEPT_UNPATCHED_RUNC, '--group', `${group}-missing`]);
    await started.stop();
    expect(started.exit).toEqual({ code: 1, stderr: `berthd: socket group "${group}-missing" not found in /etc/group\n` });
  });
});
