import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect } from 'vitest';

import { createTestNetns, type TestNetns } from './netns.js';
import { BERTH, BERTHD, REPO_ROOT } from './paths.js';

const execFileAsync = promisify(execFile);
export const BUSYBOX_TOOL = join(REPO_ROOT, 'tools/busybox-image.mjs');
export const BUSYBOX_ARCHIVE = join(REPO_ROOT, 'tools/images/busybox.tar');

/**
 * runc breakouts this machine's runc lacks the fixes for: Debian bookworm's 1.1.5+ds1-1+deb12u1, the
 * newest it offers, backports only CVE-2024-21626. berthd refuses such a runtime unless each CVE is
 * accepted by name, so the test daemons accept these (and log a warning as they start).
 */
export const ACCEPT_UNPATCHED_RUNC = ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'].map((cve) => `--allow-unpatched-runtime=${cve}`);

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a program to completion, never throwing on a non-zero exit. `input` is its stdin: text, or a stream such as a file's. */
export function run(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Readable } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
    // A program may exit before reading its stdin.
    child.stdin.on('error', () => undefined);
    const { input } = options;
    if (typeof input === 'object') {
      input.pipe(child.stdin);
      child.once('close', () => input.destroy());
    } else {
      child.stdin.end(input ?? '');
    }
  });
}

export interface TestDaemon {
  root: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  host: string;
  /** Where berthd's output goes when started with `logToFile`, across restarts. */
  logPath: string;
  /** The network namespace it runs in, when started in one. */
  netns?: TestNetns;
  /** Points the docker CLI and berth at this daemon. */
  env: NodeJS.ProcessEnv;
  process: ChildProcess;
  docker: Docker;
  berth(args: string[], input?: string | Readable): Promise<CommandResult>;
  dockerCli(args: string[], input?: string | Readable): Promise<CommandResult>;
  /** SIGKILLs the daemon (containers survive it: live restore). */
  kill(): Promise<void>;
  /** Starts a new berthd on the same data root, exec root and socket; a running one is stopped with SIGTERM first. */
  restart(): Promise<void>;
  /** Removes every container through the API, stops the daemon, checks nothing is left, deletes the temp dir. */
  cleanup(): Promise<Leftovers>;
}

export interface Leftovers {
  mounts: string[];
  conmons: number[];
  runtimeState: string[];
}

/**
 * Starts a berthd of its own: temp data root, exec root and socket (kept short for sun_path). Its
 * output goes to the test's, or with `logToFile` to `logPath` for the test to read. `launcher` is a
 * command that runs it, such as `['prlimit', '--nofile=512:512', '--']`. `dataRoot` puts its data root elsewhere
 * (a small filesystem the test mounted), which the test then removes itself. `searchableRoot` lets other
 * users search the temp dir (0711), which a `--userns-remap` daemon's containers need.
 */
export async function startTestDaemon(
  extraArgs: string[] = [],
  options: { logToFile?: boolean; launcher?: string[]; netns?: TestNetns; dataRoot?: string; searchableRoot?: boolean } = {},
): Promise<TestDaemon> {
  const root = await mkdtemp('/tmp/berth-e2e-');
  if (options.searchableRoot) await chmod(root, 0o711);
  const dataRoot = options.dataRoot ?? join(root, 'data');
  const execRoot = join(root, 'exec');
  const socket = join(root, 'berth.sock');
  const logPath = join(root, 'berthd.log');
  const host = `unix://${socket}`;
  const docker = new Docker({ socketPath: socket });
  const launch = async (): Promise<{ child: ChildProcess; exited: Promise<void> }> => {
    const log = options.logToFile ? openSync(logPath, 'a') : 'inherit';
    const inNetns = options.netns ? ['nsenter', `--net=${options.netns.path}`] : [];
    const [command, ...prefix] = [...inNetns, ...(options.launcher ?? []), process.execPath];
    // Outside a test's own network namespace no bridge may be made (DESIGN §6).
    const network = options.netns ? [] : ['--bridge=none'];
    const args = [...prefix, BERTHD, '--data-root', dataRoot, '--exec-root', execRoot, '-H', host, '--log-level', 'warn', ...ACCEPT_UNPATCHED_RUNC, ...network, ...extraArgs];
    const child = spawn(command!, args, {
      stdio: ['ignore', log, log],
    });
    if (typeof log === 'number') closeSync(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; ; i++) {
      if (existsSync(socket)) {
        try {
          await docker.ping();
          break;
        } catch {
          // not accepting yet
        }
      }
      if (child.exitCode !== null || i > 100) throw new Error(`berthd did not come up (exit code ${child.exitCode})`);
      await sleep(50);
    }
    return { child, exited };
  };
  let { child, exited } = await launch();
  const env = { DOCKER_HOST: host, BERTH_HOST: host, DOCKER_CONFIG: join(root, 'docker-config') };
  const daemon: TestDaemon = {
    root,
    dataRoot,
    execRoot,
    socket,
    host,
    logPath,
    netns: options.netns,
    env,
    process: child,
    docker,
    // `--` as berth's own #! line has it, so that node leaves run's --env-file alone.
    berth: (args, input) => run(process.execPath, ['--', BERTH, ...args], { env, input }),
    dockerCli: (args, input) => run('docker', args, { env, input }),
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      ({ child, exited } = await launch());
      daemon.process = child;
    },
    async cleanup() {
      if (child.exitCode === null) {
        const containers = await docker.listContainers({ all: true }).catch(() => []);
        for (const c of containers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
      }
      const leftovers = await findLeftovers(root);
      await forceCleanup(root, leftovers);
      return leftovers;
    },
  };
  return daemon;
}

/** Runs the docker CLI against `daemon`, expecting it to succeed; its stdout. */
export async function dockerOk(daemon: TestDaemon, args: string[], input?: string): Promise<string> {
  const result = await daemon.dockerCli(args, input);
  expect(result.code, `docker ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** `docker run -d …` through the docker CLI; fails the test unless the container started cleanly. Returns its ID. */
export async function runDetached(daemon: Pick<TestDaemon, 'dockerCli'>, args: string[]): Promise<string> {
  const run = await daemon.dockerCli(['run', '-d', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

export interface TestDaemonOptions {
  /** Load the busybox test image once the daemon is up (default true). */
  busybox?: boolean;
  /** Require no conmon or runtime state left behind either, not only no mounts. */
  checkAllLeftovers?: boolean;
  /** Run the daemon with networking, inside a network namespace made for it (removed afterwards). */
  network?: boolean;
}

/**
 * Registers hooks that start a test daemon (with busybox loaded) before the enclosing file's or describe's
 * tests and clean it up after them, failing if anything is left mounted. The returned daemon forwards to
 * the started one, so it is usable in tests and in hooks registered after this call; vitest runs those
 * hooks' afterAll first, before the cleanup.
 */
export function useTestDaemon(options: TestDaemonOptions = {}): TestDaemon {
  let started: TestDaemon | undefined;
  let netns: TestNetns | undefined;
  beforeAll(async () => {
    if (options.network) netns = await createTestNetns();
    started = await startTestDaemon([], netns ? { netns } : {});
    if (options.busybox === false) return;
    const loaded = await started.berth(['load', '-i', await busyboxArchive()]);
    expect(loaded.code, loaded.stderr).toBe(0);
  });
  afterAll(async () => {
    // A daemon that never started has nothing to clean up; its own failure is the one to see.
    if (!started) {
      await netns?.remove();
      return;
    }
    const leftovers = await started.cleanup().finally(() => netns?.remove());
    if (options.checkAllLeftovers) expect(leftovers).toEqual({ mounts: [], conmons: [], runtimeState: [] });
    else expect(leftovers.mounts).toEqual([]);
  });
  const current = (): TestDaemon => {
    if (!started) throw new Error('the test daemon is used before its beforeAll hook has started it');
    return started;
  };
  return new Proxy({} as TestDaemon, {
    get: (_target, key) => Reflect.get(current(), key) as unknown,
    set: (_target, key, value) => Reflect.set(current(), key, value),
  });
}

/** Mounts, conmon processes and runc state that still point into a test's temp dir. */
export async function findLeftovers(root: string): Promise<Leftovers> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(root));
  const conmons: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith('/usr/bin/conmon') && cmdline.includes(root)) conmons.push(Number(pid));
  }
  const runtimeDir = join(root, 'exec/runtime');
  const runtimeState = existsSync(runtimeDir) ? await readdir(runtimeDir) : [];
  return { mounts, conmons, runtimeState };
}

async function forceCleanup(root: string, leftovers: Leftovers): Promise<void> {
  for (const pid of leftovers.conmons) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const mount of leftovers.mounts.reverse()) await execFileAsync('umount', ['-l', mount]).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}

/** The busybox test image, built offline from Debian's busybox-static if setup has not made it. */
export async function busyboxArchive(): Promise<string> {
  await mkdir(dirname(BUSYBOX_ARCHIVE), { recursive: true });
  if (!existsSync(BUSYBOX_ARCHIVE)) await execFileAsync(process.execPath, [BUSYBOX_TOOL, '-o', BUSYBOX_ARCHIVE]);
  return BUSYBOX_ARCHIVE;
}

/** A directory `dir` holding these files (paths relative to it, parents made): a build context. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** How long `waitFor` gives the engine to reach a state it reaches asynchronously (a trash emptied, a file closed). */
export const WAIT_FOR_TIMEOUT_MS = 20_000;

/** Polls `condition` until it holds; fails naming `what` after WAIT_FOR_TIMEOUT_MS. */
export async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_TIMEOUT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** berthd's resident memory now (`rss`) and its high-water mark (`hwm`, since it started or since `resetPeakRss`), in bytes. */
export async function berthdMemory(daemon: Pick<TestDaemon, 'process'>): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${daemon.process.pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets berthd's RSS high-water mark to its RSS now: the next `berthdMemory().hwm` is the peak since, however brief. */
export async function resetPeakRss(daemon: Pick<TestDaemon, 'process'>): Promise<void> {
  await writeFile(`/proc/${daemon.process.pid}/clear_refs`, '5');
}

/** A log line of a container that floods its output (`yes LINE`). */
export const FLOOD_LINE = '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz';
