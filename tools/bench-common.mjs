// Helpers shared by the bench's modules (tools/bench.mjs, tools/bench-compare.mjs): timing, the API over a unix socket,
// and starting berthd and the reference dockerd on roots of their own.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);
export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ONLY = process.env.BENCH_ONLY?.split(',');
export const wanted = (figure) => !ONLY || ONLY.includes(figure);

// Debian bookworm's runc lacks these fixes and berthd refuses it unless each is accepted by name (see README).
export const ACCEPT_UNPATCHED_RUNC = ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'].map((cve) => `--allow-unpatched-runtime=${cve}`);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const ms = (n) => `${n.toFixed(1)} ms`;

export function api(socket, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => {
        if (res.statusCode >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${data}`));
        else resolve(String(res.headers['content-type']).startsWith('application/json') && data ? JSON.parse(data) : data);
      });
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

export async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export const sh = (script, env) => execFileAsync('bash', ['-o', 'pipefail', '-c', script], { env, maxBuffer: 16 * 1024 * 1024 });
export const rate = (bytes, millis) => `${(bytes / 1024 / 1024 / (millis / 1000)).toFixed(1)} MB/s`;

export const DOCKERD = '/usr/sbin/dockerd';
export const waitExit = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));

/** Unmounts what an engine left mounted under `dir` (dockerd its default network namespace at least), deepest first. */
export async function unmountUnder(dir) {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((line) => line.split(' ')[4]).filter((point) => point?.startsWith(`${dir}/`));
  for (const point of mounts.reverse()) await execFileAsync('umount', ['-l', point]).catch(() => undefined);
}

/**
 * Debian's dockerd with sockets, roots and config of its own, as e2e/src/reference-dockerd.ts starts it: without
 * networking, or inside `netns` (from createBenchNetns) with its default bridge, iptables rules and docker-proxy.
 * `ownGroup` puts it in a process group of its own, out of reach of the terminal's Ctrl-C (see startDaemon).
 */
export async function startReferenceDockerd(dir, netns, { ownGroup = false } = {}) {
  await mkdir(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const configFile = join(dir, 'daemon.json');
  await writeFile(configFile, '{}\n');
  const network = netns ? [] : ['--bridge=none', '--iptables=false', '--ip-masq=false', '--ip-forward=false'];
  const args = [`--config-file=${configFile}`, `--host=unix://${socket}`, `--data-root=${join(dir, 'data')}`, `--exec-root=${join(dir, 'exec')}`, `--pidfile=${join(dir, 'dockerd.pid')}`, ...network];
  let printed = '';
  // nsenter execs dockerd in place: the child's pid is dockerd's.
  const [command, ...prefix] = [...(netns?.enter ?? []), DOCKERD];
  const child = spawn(command, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  child.stdout.on('data', (d) => (printed += d));
  child.stderr.on('data', (d) => (printed += d));
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
  const stop = await untilDockerAnswers(child, dir, socket, env, () => `dockerd did not start:\n${printed}`);
  return { env, stop, pid: child.pid };
}

/**
 * Waits (30 s at most) until the docker CLI gets an answer from the engine `child` serves on `socket`; returns its stop,
 * which also removes `dir`. An engine that exits or never answers is stopped, and `failure()` says why.
 */
export async function untilDockerAnswers(child, dir, socket, env, failure) {
  const stop = async () => {
    child.kill('SIGTERM');
    await waitExit(child);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (existsSync(socket) && (await execFileAsync('docker', ['version'], { env }).then(() => true, () => false))) return stop;
    if (child.exitCode !== null || attempt > 300) {
      await stop();
      throw new Error(failure());
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Spawns berthd on `root` and waits until /_ping answers; returns the process and the milliseconds that took. With
 * `netns` (from createBenchNetns) it runs there with its default bridge; without, it has none. `ownGroup` puts it in
 * a process group of its own: a Ctrl-C at the terminal then reaches the bench only, which removes the containers
 * before it stops the engine.
 */
export async function startDaemon(root, socket, netns, { ownGroup = false } = {}) {
  const started = process.hrtime.bigint();
  const network = netns ? [] : ['--bridge=none'];
  const args = ['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '-H', `unix://${socket}`, '--log-level', 'warn', ...network, ...ACCEPT_UNPATCHED_RUNC];
  // Run as the `berthd` command is, so the node flags on its shebang apply (nsenter execs it in place).
  const [command, ...prefix] = [...(netns?.enter ?? []), join(repo, 'packages/daemon/dist/bin/berthd.js')];
  const daemon = spawn(command, [...prefix, ...args], { stdio: ['ignore', 'inherit', 'inherit'], detached: ownGroup });
  for (let attempt = 0; ; attempt++) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) throw new Error(`berthd exited (${daemon.exitCode ?? daemon.signalCode}) before it answered`);
    if (attempt > 12_000) {
      await stopDaemon(daemon);
      throw new Error('berthd did not answer /_ping within a minute');
    }
    if (existsSync(socket)) {
      try {
        await api(socket, 'GET', '/_ping');
        break;
      } catch {
        // not ready
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { daemon, readyMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

export const stopDaemon = async (daemon) => {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  daemon.kill('SIGTERM');
  await waitExit(daemon);
};

/** Why a figure failed, in a line: the error's first, and the first line the failed command printed on stderr. */
export const reason = (err) => [err.message.split('\n')[0], err.stderr?.trim().split('\n')[0]].filter(Boolean).join(': ');

/** Runs `fn` for `figure` of `engine` unless that engine or figure failed already; a failure is kept to print FAIL. */
export async function guard(engine, figure, fn) {
  if (engine.error || engine.failed[figure]) return;
  try {
    await fn();
  } catch (err) {
    engine.failed[figure] = reason(err);
  }
}

/** busybox's docker-archive (tools/images/busybox.tar), made by tools/busybox-image.mjs when it is missing. */
export async function busyboxArchive() {
  const archive = join(repo, 'tools/images/busybox.tar');
  if (!existsSync(archive)) {
    await mkdir(dirname(archive), { recursive: true });
    await execFileAsync(process.execPath, [join(repo, 'tools/busybox-image.mjs'), '-o', archive]);
  }
  return archive;
}
