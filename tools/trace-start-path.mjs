#!/usr/bin/env node
// Where the time of one `docker run --rm busybox true` goes (docs/performance.md). Not a test: it measures.
//   node tools/trace-start-path.mjs [--runs N] [--floor] [--baseline <repo checkout with a built daemon>]
// - trace: starts this checkout's berthd with BERTH_TRACE=1 (--bridge=none, temp roots), runs the real docker CLI
//   N times and lines up the daemon's step lines (packages/daemon/src/util/step-trace.ts) with the CLI's start and
//   exit on the one epoch clock; prints each step's median offset from the CLI's start and median duration.
// - --floor: the same work without the engine: `docker --version`, `runc create/start/delete` and `runc run` of a
//   prepared busybox bundle, `mount -t overlay` / `umount` of its root, conmon alone (its --version).
// - --baseline: a second berthd from another checkout (e.g. the base commit in a scratch clone), and both engines
//   timed alternately in one run: `run --rm true`, create+start+stop+rm (CLI), and `docker start` alone.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const RUNS = Number(option('--runs') ?? 15);
const BASELINE = option('--baseline');
const FLOOR = args.includes('--floor');
const ACCEPT_UNPATCHED_RUNC = ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'].map((cve) => `--allow-unpatched-runtime=${cve}`);

const now = () => performance.timeOrigin + performance.now();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n) => `${n.toFixed(1)} ms`.padStart(9);

/** Runs a command to its end; resolves with its epoch start and end, rejects on a non-zero status. */
function timed(command, argv, env = process.env) {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const end = now();
      if (code === 0) resolve({ start, end, took: end - start, out });
      else reject(new Error(`${command} ${argv.join(' ')}: exit ${code}: ${out}`));
    });
  });
}

async function startDaemon(checkout, label) {
  const root = await mkdtemp(`/tmp/berth-trace-${label}-`);
  const socket = join(root, 'berth.sock');
  const host = `unix://${socket}`;
  const berthd = join(checkout, 'packages/daemon/dist/bin/berthd.js');
  const lines = [];
  const child = spawn(
    process.execPath,
    [berthd, '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '-H', host, '--log-level', 'warn', '--bridge=none', ...ACCEPT_UNPATCHED_RUNC],
    { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, BERTH_TRACE: '1' } },
  );
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    const all = (partial + text).split('\n');
    partial = all.pop();
    for (const line of all) {
      const m = /^berth-trace (\S+) (\S+) (.*)$/.exec(line);
      if (m) lines.push({ at: Number(m[1]), subject: m[2], step: m[3] });
      else process.stderr.write(`[${label}] ${line}\n`);
    }
  });
  const env = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(root, 'docker-config') };
  for (let i = 0; !existsSync(socket); i++) {
    if (i > 300 || child.exitCode !== null) throw new Error(`${label} berthd did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await execFileAsync('docker', ['load', '-i', join(repo, 'tools/images/busybox.tar')], { env });
  return {
    label,
    env,
    dataRoot: join(root, 'data'),
    lines,
    docker: (argv) => timed('docker', argv, env),
    async stop() {
      const { stdout } = await execFileAsync('docker', ['ps', '-aq'], { env });
      for (const id of stdout.split('\n').filter(Boolean)) await execFileAsync('docker', ['rm', '-f', id], { env });
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Step lines of one run: the API lines and the container's lines between the CLI's start and exit. */
function stepsOf(lines, run) {
  return lines.filter((l) => l.at >= run.start && l.at <= run.end).map((l) => ({ ...l, step: l.step.replace(/ \/v1\.\d+/, '').replace(/\/containers\/[0-9a-f]{64}/, '/containers/<id>').replace(/ \(exit file written at (\d+)\)/, '') }));
}

async function trace(daemon) {
  const offsets = new Map();
  const totals = [];
  const exitFileLag = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const run = await daemon.docker(['run', '--rm', 'busybox', 'true']);
    if (i < 2) continue; // warm-up: caches, lazily loaded routes
    totals.push(run.took);
    const raw = daemon.lines.filter((l) => l.at >= run.start && l.at <= run.end);
    const noticed = raw.find((l) => l.step.startsWith('exit: noticed'));
    const written = noticed && /written at (\d+)/.exec(noticed.step);
    if (written) exitFileLag.push(noticed.at - Number(written[1]));
    const seen = new Map();
    for (const { at, step } of stepsOf(daemon.lines, run)) {
      // A step that repeats (two responses of one kind) keeps its occurrences apart.
      const n = (seen.get(step) ?? 0) + 1;
      seen.set(step, n);
      const key = n > 1 ? `${step} #${n}` : step;
      if (!offsets.has(key)) offsets.set(key, []);
      offsets.get(key).push(at - run.start);
    }
    if (!offsets.has('CLI exited')) offsets.set('CLI exited', []);
    offsets.get('CLI exited').push(run.took);
  }
  const rows = [...offsets.entries()].map(([step, xs]) => ({ step, at: median(xs), n: xs.length })).sort((a, b) => a.at - b.at);
  console.log(`\ntrace of \`docker run --rm busybox true\`, ${RUNS} runs (after 2 warm-up), medians; offset from the CLI's start, then the step's own share`);
  let previous = 0;
  for (const row of rows) {
    console.log(`${ms(row.at)} ${ms(row.at - previous)}  ${row.step}${row.n < RUNS ? ` (${row.n}/${RUNS} runs)` : ''}`);
    previous = row.at;
  }
  console.log(`total ${ms(median(totals))}; exit file written → noticed by berthd: ${ms(median(exitFileLag))} (mtime has ms resolution)`);
}

/** The runtime spec berthd made for a `busybox true` container, its root moved to `rootfs`, in `bundle`. */
async function berthBundle(daemon, rootfs, bundle) {
  const id = (await daemon.docker(['create', 'busybox', 'true'])).out.trim();
  await daemon.docker(['start', id]);
  const config = JSON.parse(await readFile(join(daemon.dataRoot, 'containers', id, 'bundle', 'config.json'), 'utf8'));
  config.root = { path: rootfs, readonly: false };
  config.linux.cgroupsPath = '/berth-floor';
  await mkdir(bundle);
  await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
  // Its /etc files, bound into the spec, stay until the container goes.
  return id;
}

async function floor(daemon) {
  const work = await mkdtemp('/tmp/berth-floor-');
  try {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs);
    // busybox.tar is a docker-archive: its layer tar goes into the bundle's rootfs.
    await execFileAsync('tar', ['-xf', join(repo, 'tools/images/busybox.tar'), '-C', work]);
    const manifest = JSON.parse(await readFile(join(work, 'manifest.json'), 'utf8'));
    for (const layer of manifest[0].Layers) await execFileAsync('tar', ['-xf', join(work, layer), '-C', rootfs]);
    const bundle = join(work, 'bundle');
    await mkdir(bundle);
    await execFileAsync('runc', ['spec', '-b', bundle]);
    const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
    config.root = { path: rootfs, readonly: false };
    config.process.terminal = false;
    config.process.args = ['true'];
    await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
    const state = join(work, 'state');
    const runc = (...argv) => timed('runc', ['--root', state, ...argv]);
    const cols = { version: [], create: [], start: [], del: [], run: [], mount: [], umount: [], conmon: [], berthCreate: [], berthStart: [], berthDel: [] };
    const berthSpec = join(work, 'berth-bundle');
    const kept = await berthBundle(daemon, rootfs, berthSpec);
    const untilStopped = async (id) => {
      for (let t = 0; t < 500; t++) {
        const { out } = await timed('runc', ['--root', state, 'state', id]);
        if (JSON.parse(out).status === 'stopped') return;
      }
    };
    const merged = join(work, 'merged');
    for (const d of ['upper', 'work', 'merged']) await mkdir(join(work, d));
    for (let i = 0; i < RUNS + 2; i++) {
      const warm = i < 2;
      const add = (col, t) => !warm && cols[col].push(t.took);
      add('version', await timed('docker', ['--version']));
      add('conmon', await timed('conmon', ['--version']));
      add('mount', await timed('mount', ['-t', 'overlay', '-o', `lowerdir=${rootfs},upperdir=${join(work, 'upper')},workdir=${join(work, 'work')}`, 'overlay', merged]));
      add('umount', await timed('umount', [merged]));
      add('create', await runc('create', '-b', bundle, `floor${i}`));
      add('start', await runc('start', `floor${i}`));
      // runc start returns once the process runs; delete needs it gone.
      await untilStopped(`floor${i}`);
      add('del', await runc('delete', `floor${i}`));
      add('run', await runc('run', '-b', bundle, `floorrun${i}`));
      add('berthCreate', await runc('create', '-b', berthSpec, `floorberth${i}`));
      add('berthStart', await runc('start', `floorberth${i}`));
      await untilStopped(`floorberth${i}`);
      add('berthDel', await runc('delete', `floorberth${i}`));
    }
    await daemon.docker(['rm', '-f', kept]);
    console.log(`\nfloor, ${RUNS} runs each (after 2 warm-up), medians`);
    console.log(`${ms(median(cols.version))}  docker --version (the CLI's own start)`);
    console.log(`${ms(median(cols.conmon))}  conmon --version (a conmon exec, no container)`);
    console.log(`${ms(median(cols.mount))}  mount -t overlay (one busybox layer)`);
    console.log(`${ms(median(cols.umount))}  umount`);
    console.log(`${ms(median(cols.create))}  runc create of a prepared bundle`);
    console.log(`${ms(median(cols.start))}  runc start`);
    console.log(`${ms(median(cols.del))}  runc delete`);
    console.log(`${ms(median(cols.run))}  runc run (create + start + wait + delete in one)`);
    console.log(`${ms(median(cols.berthCreate))}  runc create of berthd's own spec (seccomp, masked paths, /etc binds, cgroup)`);
    console.log(`${ms(median(cols.berthStart))}  runc start of it`);
    console.log(`${ms(median(cols.berthDel))}  runc delete of it`);
  } finally {
    await execFileAsync('umount', [join(work, 'merged')]).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

/** Both engines alternately, one run each per round: the medians and the ratio new/baseline. */
async function compare(engines) {
  const figures = {
    'run --rm busybox true': async (d) => (await d.docker(['run', '--rm', 'busybox', 'true'])).took,
    'create+start+stop+rm': async (d) => {
      const created = await d.docker(['create', 'busybox', 'sleep', '1000']);
      const id = created.out.trim();
      const start = await d.docker(['start', id]);
      const stop = await d.docker(['stop', '-t', '0', id]);
      const removed = await d.docker(['rm', id]);
      return created.took + start.took + stop.took + removed.took;
    },
    'start alone (docker start)': async (d) => {
      const id = (await d.docker(['create', 'busybox', 'true'])).out.trim();
      const took = (await d.docker(['start', id])).took;
      await d.docker(['rm', '-f', id]);
      return took;
    },
  };
  console.log(`\n${engines.map((e) => e.label).join(' vs ')}, alternating, ${RUNS} rounds (after 2 warm-up), medians`);
  for (const [name, figure] of Object.entries(figures)) {
    const results = engines.map(() => []);
    for (let i = 0; i < RUNS + 2; i++) {
      for (const [n, engine] of engines.entries()) {
        const took = await figure(engine);
        if (i >= 2) results[n].push(took);
      }
    }
    const medians = results.map(median);
    console.log(`${name.padEnd(28)} ${medians.map(ms).join(' ')}  ratio ${(medians[0] / medians[1]).toFixed(2)}`);
  }
}

const current = await startDaemon(repo, 'new');
const baseline = BASELINE ? await startDaemon(BASELINE, 'baseline') : undefined;
try {
  await trace(current);
  if (baseline) await compare([current, baseline]);
  if (FLOOR) await floor(current);
} finally {
  await baseline?.stop();
  await current.stop();
}
