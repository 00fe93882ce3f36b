#!/usr/bin/env node
// Prints Berth's performance figures (DESIGN §7). Not a test: it measures, it does not judge.
// Starts its own berthd on a temp data root, loads busybox, then times:
//   - `docker run --rm busybox true` through the real docker CLI (median of N runs)
//   - the same work through the raw API (create, attach-less start, wait, delete)
//   - daemon start-up time and idle RSS
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n) => `${n.toFixed(1)} ms`;

function api(socket, method, path, body) {
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

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main() {
  const root = await mkdtemp('/tmp/berth-bench-');
  const socket = join(root, 'berth.sock');
  const host = `unix://${socket}`;
  const archive = join(repo, 'tools/images/busybox.tar');
  if (!existsSync(archive)) {
    await mkdir(dirname(archive), { recursive: true });
    await execFileAsync(process.execPath, [join(repo, 'tools/busybox-image.mjs'), '-o', archive]);
  }
  const started = process.hrtime.bigint();
  const daemon = spawn(process.execPath, [join(repo, 'packages/daemon/dist/bin/berthd.js'), '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '-H', host, '--log-level', 'warn'], { stdio: ['ignore', 'inherit', 'inherit'] });
  for (;;) {
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
  const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  const env = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(root, 'docker-config') };
  try {
    await execFileAsync('docker', ['load', '-i', archive], { env });
    const idleRss = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${daemon.pid}/status`, 'utf8'))[1]) / 1024;
    await execFileAsync('docker', ['run', '--rm', 'busybox', 'true'], { env });

    const cli = [];
    for (let i = 0; i < RUNS; i++) cli.push(await timed(() => execFileAsync('docker', ['run', '--rm', 'busybox', 'true'], { env })));

    const cycle = { create: [], start: [], wait: [], stop: [], remove: [] };
    for (let i = 0; i < RUNS; i++) {
      let id;
      cycle.create.push(await timed(async () => ({ Id: id } = await api(socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 60 & wait'] }))));
      cycle.start.push(await timed(() => api(socket, 'POST', `/containers/${id}/start`)));
      cycle.stop.push(await timed(() => api(socket, 'POST', `/containers/${id}/stop?t=1`)));
      cycle.remove.push(await timed(() => api(socket, 'DELETE', `/containers/${id}`)));
    }
    const runTrue = [];
    for (let i = 0; i < RUNS; i++) {
      runTrue.push(
        await timed(async () => {
          const { Id } = await api(socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true } });
          const waited = api(socket, 'POST', `/containers/${Id}/wait?condition=removed`);
          await api(socket, 'POST', `/containers/${Id}/start`);
          await waited;
        }),
      );
    }
    const total = cycle.create.map((_, i) => cycle.create[i] + cycle.start[i] + cycle.stop[i] + cycle.remove[i]);
    console.log(`berth bench (${RUNS} runs each, medians)`);
    console.log(`  daemon ready after start:                 ${ms(readyMs)}`);
    console.log(`  daemon idle RSS:                          ${idleRss.toFixed(1)} MB`);
    console.log(`  docker run --rm busybox true (CLI):       ${ms(median(cli))}`);
    console.log(`  API create+start+wait(removed), --rm true: ${ms(median(runTrue))}`);
    console.log(`  API create/start/stop/rm cycle:           ${ms(median(total))}  (create ${ms(median(cycle.create))}, start ${ms(median(cycle.start))}, stop ${ms(median(cycle.stop))}, rm ${ms(median(cycle.remove))})`);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await rm(root, { recursive: true, force: true });
  }
}

await main();
