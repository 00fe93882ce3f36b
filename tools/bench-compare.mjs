// `node tools/bench.mjs --compare [unix:///path.sock …] [--floor]` (issue 20): every figure of the table for
// berthd and the compared engines in one run, alternating between the engines round by round so that the machine's
// load falls on each alike, medians; then berthd's ratio to each engine and the goal, met or the gap.
// A bare --compare starts the peers itself: Debian's dockerd (--bridge=none --iptables=false) and podman's API
// service (in a network namespace of the bench's: its default network is a netavark bridge with firewall rules), each
// on roots of its own under the bench's temp dir. `--compare unix://…` (repeatable) compares engines the user runs
// instead. The real docker CLI is the client of every CLI figure. BENCH_RUNS sets the rounds of the quick figures;
// the long ones take at most 5 (rm -f of 200: 3). BENCH_ONLY=rss,run,cycle,exec,parallel,rm,logs,attach,ping picks.
import { request, Agent } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DOCKERD, RUNS, api, busyboxArchive, execFileAsync, guard, median, reason, sh, startDaemon, startReferenceDockerd, stopDaemon, timed, unmountUnder,
  wanted,
} from './bench-common.mjs';
import { CRUN_NOTE, prepareFloor } from './bench-floor.mjs';
import { createBenchNetns } from './bench-netns.mjs';
import { RSS_DEFINITION, engineRss, socketOwner, startPodman } from './bench-peers.mjs';

const LONG_RUNS = Math.min(RUNS, 5);
const MANY_RUNS = Math.min(RUNS, 3);
const PARALLEL = 20;
const MANY = 200;
const IDLE_CONTAINERS = 20;
const STREAM_BYTES = 50 * 1024 * 1024;
const PINGS = 200;
const MiB = 1024 * 1024;
/** 50 MiB of 100-byte text lines, made fast enough not to bound the stream: 1 MiB of lines in /tmp, cat 50 times. */
const STREAM_SCRIPT = `yes ${'x'.repeat(99)} | head -c ${MiB} > /tmp/lines && for i in $(seq ${STREAM_BYTES / MiB}); do cat /tmp/lines; done`;
const SLEEP_CMD = ['sleep', '600'];
/** Exits at once on SIGTERM, so that stop measures the engine, not a grace period. */
const STOPPABLE_CMD = ['sh', '-c', 'trap "exit 0" TERM; sleep 60 & wait'];

/**
 * The table's rows: `unit` says how a value prints and which way is better; each goal part is an absolute bound
 * (`max`/`min` in the unit) or a bound on berthd's ratio to an engine (`vs`); `step` is the BENCH_ONLY name.
 */
const FIGURES = [
  { key: 'run', step: 'run', label: '`docker run --rm busybox true`', unit: 'ms', goal: [{ max: 70 }, { vs: 'dockerd', max: 0.35 }] },
  { key: 'cycle', step: 'cycle', label: 'create+start+stop+rm (API)', unit: 'ms', goal: [{ vs: 'dockerd', max: 0.5 }] },
  { key: 'start', step: 'cycle', label: 'start alone (API)', unit: 'ms', goal: [{ vs: 'podman', below: true }] },
  { key: 'exec', step: 'exec', label: '`docker exec c true`', unit: 'ms', goal: [{ vs: 'dockerd', max: 0.6 }] },
  { key: 'parallel', step: 'parallel', label: `${PARALLEL} parallel \`run --rm\``, unit: 'ms', goal: [{ vs: 'dockerd', max: 0.3 }] },
  { key: 'rm', step: 'rm', label: `\`rm -f\` of ${MANY} running containers`, unit: 'ms', goal: [{ vs: 'dockerd', max: 0.5 }] },
  { key: 'logs', step: 'logs', label: '`docker logs` of 50 MiB', unit: 'MiB/s', goal: [{ min: 300 }] },
  { key: 'attach', step: 'attach', label: 'attached `run` output, 50 MiB', unit: 'MiB/s', goal: [{ min: 200 }] },
  { key: 'ping', step: 'ping', label: '`GET /_ping` (keep-alive)', unit: 'ms', goal: [{ vs: 'dockerd', max: 1 }] },
  { key: 'rss0', step: 'rss', label: 'idle RSS, 0 containers', unit: 'MiB', goal: [{ max: 40 }] },
  { key: 'rss20', step: 'rss', label: `idle RSS, ${IDLE_CONTAINERS} containers`, unit: 'MiB', goal: [{ max: 80 }] },
];

const sleep = (millis) => new Promise((r) => setTimeout(r, millis));
/** Round `round`'s order: the list rotated by one more each round. */
const rotate = (xs, round) => xs.map((_, i) => xs[(i + round) % xs.length]);

function parseArgs(argv) {
  const options = { compare: false, sockets: [], floor: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--floor') options.floor = true;
    else if (arg === '--compare') {
      options.compare = true;
      if (argv[i + 1]?.startsWith('unix://')) options.sockets.push(argv[++i]);
    } else if (arg.startsWith('--compare=')) {
      options.compare = true;
      options.sockets.push(arg.slice('--compare='.length));
    } else throw new Error(`unknown argument ${arg} (usage: bench.mjs [--compare [unix:///path.sock]]… [--floor])`);
  }
  for (const socket of options.sockets) if (!socket.startsWith('unix:///')) throw new Error(`--compare takes unix:///path.sock, not ${socket}`);
  if (options.floor && !options.compare) throw new Error('--floor goes with --compare');
  return options;
}

/** Whether argv asks for the comparison (bench.mjs's own figures otherwise). */
export const comparing = (argv) => argv.some((arg) => arg === '--compare' || arg.startsWith('--compare=') || arg === '--floor');

/** An engine of the table: `docker` runs the CLI against it, `samples` holds each figure's measurements. */
function engineOf(name, kind, { env, socket, pid, stop, netns, dataRoot }) {
  return {
    name, kind, env, socket, pid, stop, netns, dataRoot, failed: {}, samples: {},
    docker: (...args) => execFileAsync('docker', args, { env, maxBuffer: 64 * MiB }),
    api: (method, path, body) => api(socket, method, path, body),
  };
}

/** What an engine user named by its socket is: podman, dockerd or berthd, from its /version. */
async function kindOf(socket) {
  const version = await api(socket, 'GET', '/version');
  const components = (version.Components ?? []).map((c) => c.Name).join(' ');
  if (/podman/i.test(components)) return 'podman';
  if (/berth/i.test(JSON.stringify(version))) return 'berthd';
  return 'dockerd';
}

/** The engines of the run, berthd first; those it starts are registered in `cleanup` as soon as they run. */
async function startEngines(root, sockets, cleanup) {
  const ownGroup = { ownGroup: true };
  const engines = [];
  const started = async (name, kind, launch) => {
    try {
      const engine = engineOf(name, kind, await launch());
      cleanup.push(engine);
      engines.push(engine);
    } catch (err) {
      engines.push({ ...engineOf(name, kind, {}), error: reason(err) });
    }
  };
  await started('berthd', 'berthd', async () => {
    const dir = join(root, 'berthd');
    await mkdir(dir);
    const socket = join(dir, 'berth.sock');
    const { daemon } = await startDaemon(dir, socket, undefined, ownGroup);
    const stop = async () => {
      await stopDaemon(daemon);
      await unmountUnder(dir);
    };
    return { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') }, socket, pid: daemon.pid, stop, dataRoot: join(dir, 'data') };
  });
  if (sockets.length === 0) {
    if (existsSync(DOCKERD)) {
      await started('dockerd', 'dockerd', async () => {
        const dir = join(root, 'dockerd');
        const dockerd = await startReferenceDockerd(dir, undefined, ownGroup);
        return { ...dockerd, socket: join(dir, 'docker.sock') };
      });
    } else engines.push({ ...engineOf('dockerd', 'dockerd', {}), error: `${DOCKERD} is not installed` });
    await started('podman', 'podman', async () => {
      const netns = await createBenchNetns();
      try {
        return { ...(await startPodman(join(root, 'podman'), netns, ownGroup)), netns };
      } catch (err) {
        await netns.remove();
        throw err;
      }
    });
  }
  for (const url of sockets) {
    const socket = url.slice('unix://'.length);
    const kind = await kindOf(socket).catch(() => 'unknown');
    await started(`${kind} (${socket})`, kind, async () => {
      const env = { ...process.env, DOCKER_HOST: url, DOCKER_CONFIG: join(root, `docker-config-${engines.length}`) };
      return { env, socket, pid: await socketOwner(socket) };
    });
  }
  return engines;
}

/** Every container of the engine, by full ID. */
const containerIds = async (engine) => (await engine.api('GET', '/containers/json?all=1')).map((c) => c.Id);

/** Removes the containers the bench made in `engine` (all of an engine it started; those with its label of a user's). */
async function removeContainers(engine) {
  const list = await engine.api('GET', '/containers/json?all=1').catch(() => []);
  const ours = engine.stop ? list : list.filter((c) => c.Labels?.['berth.bench'] === 'compare');
  for (let i = 0; i < ours.length; i += 50) await engine.docker('rm', '-f', ...ours.slice(i, i + 50).map((c) => c.Id)).catch(() => undefined);
}

const LABELS = { 'berth.bench': 'compare' };

/** Creates and starts `count` containers running `cmd`, `width` at a time; returns their IDs. */
async function startContainers(engine, count, cmd, width = 8) {
  const ids = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const { Id } = await engine.api('POST', '/containers/create', { Image: 'busybox', Cmd: cmd, Labels: LABELS });
      ids.push(Id);
      await engine.api('POST', `/containers/${Id}/start`);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return ids;
}

const keepAlive = () => new Agent({ keepAlive: true, maxSockets: 1 });

/** PINGS sequential GET /_ping over one kept-alive connection; the median per request. */
async function pingRound(socket) {
  const agent = keepAlive();
  const times = [];
  let connections = 0;
  try {
    for (let i = 0; i < PINGS; i++) {
      times.push(
        await timed(
          () =>
            new Promise((resolve, reject) => {
              const req = request({ socketPath: socket, path: '/_ping', agent }, (res) => res.resume().on('end', resolve));
              req.on('socket', (s) => {
                if (!req.reusedSocket) connections++;
                s.setNoDelay(true);
              });
              req.on('error', reject);
              req.end();
            }),
        ),
      );
    }
  } finally {
    agent.destroy();
  }
  if (connections > 1) throw new Error(`the engine closed the kept-alive connection (${connections} connections for ${PINGS} requests)`);
  return median(times);
}

/**
 * The measuring steps, in order; each runs `rounds` rounds over the engines (and the floor, when asked) in rotated
 * order. `setup`/`teardown` run once per engine around the rounds; `sample` returns `{ figureKey: value }`, and
 * `floor` its own keys (one namespace for every step's floor).
 */
function steps(floorRig) {
  return [
    {
      name: 'rss',
      rounds: 1,
      async sample(engine) {
        // Idle: no request to the engine for 3 s before and while sampling (berthd hands freed memory back after 2 s).
        const measure = async () => {
          const ids = await containerIds(engine);
          await sleep(3000);
          const samples = [];
          for (let i = 0; i < 3; i++) {
            if (i) await sleep(500);
            samples.push(await engineRss(engine.pid, ids));
          }
          return samples.sort((a, b) => a.mib - b.mib)[1];
        };
        const idle = await measure();
        const ids = await startContainers(engine, IDLE_CONTAINERS, SLEEP_CMD);
        try {
          const busy = await measure();
          if (busy.supervisors < IDLE_CONTAINERS) throw new Error(`found ${busy.supervisors} supervisors for ${IDLE_CONTAINERS} containers`);
          engine.supervisorEach = busy.supervisorMib / busy.supervisors;
          return { rss0: idle.mib, rss20: busy.mib };
        } finally {
          await engine.docker('rm', '-f', ...ids);
        }
      },
    },
    {
      name: 'run',
      rounds: RUNS,
      sample: async (engine) => ({ run: await timed(() => engine.docker('run', '--rm', 'busybox', 'true')) }),
      floor: async () => ({
        cli: await timed(() => execFileAsync('docker', ['--version'])),
        runc: await timed(floorRig.runcRun),
        crun: await timed(floorRig.crunRun),
        wrapper: await timed(floorRig.crunWrapper),
      }),
    },
    {
      name: 'cycle',
      rounds: RUNS,
      async sample(engine) {
        let id;
        const create = await timed(async () => ({ Id: id } = await engine.api('POST', '/containers/create', { Image: 'busybox', Cmd: STOPPABLE_CMD, Labels: LABELS })));
        const start = await timed(() => engine.api('POST', `/containers/${id}/start`));
        const stop = await timed(() => engine.api('POST', `/containers/${id}/stop?t=5`));
        const remove = await timed(() => engine.api('DELETE', `/containers/${id}`));
        return { cycle: create + start + stop + remove, start };
      },
    },
    {
      name: 'exec',
      rounds: RUNS,
      setup: async (engine) => {
        engine.execTarget = (await startContainers(engine, 1, SLEEP_CMD))[0];
        await engine.docker('exec', engine.execTarget, 'true');
      },
      sample: async (engine) => ({ exec: await timed(() => engine.docker('exec', engine.execTarget, 'true')) }),
      teardown: (engine) => engine.docker('rm', '-f', engine.execTarget),
      floor: async () => ({ runcExec: await timed(floorRig.runcExec) }),
    },
    {
      name: 'parallel',
      rounds: LONG_RUNS,
      sample: async (engine) => ({ parallel: await timed(() => Promise.all(Array.from({ length: PARALLEL }, () => engine.docker('run', '--rm', 'busybox', 'true')))) }),
      floor: async () => ({ parallelRunc: await timed(() => Promise.all(Array.from({ length: PARALLEL }, floorRig.runcRun))) }),
    },
    {
      name: 'rm',
      rounds: MANY_RUNS,
      async sample(engine) {
        const ids = await startContainers(engine, MANY, SLEEP_CMD);
        const took = await timed(() => engine.docker('rm', '-f', ...ids));
        const left = (await containerIds(engine)).filter((id) => ids.includes(id));
        if (left.length) throw new Error(`${left.length} containers were still there after rm -f`);
        return { rm: took };
      },
    },
    {
      name: 'logs',
      rounds: LONG_RUNS,
      async setup(engine) {
        const { stdout } = await engine.docker('run', '-d', '--label', 'berth.bench=compare', 'busybox', 'sh', '-c', STREAM_SCRIPT);
        engine.logsTarget = stdout.trim();
        await engine.docker('wait', engine.logsTarget);
        const { stdout: counted } = await sh(`docker logs ${engine.logsTarget} | wc -c`, engine.env);
        if (Number(counted) !== STREAM_BYTES) throw new Error(`docker logs gave ${counted.trim()} bytes of ${STREAM_BYTES}`);
        if (engine.dataRoot) engine.logFile = join(engine.dataRoot, 'containers', engine.logsTarget, 'container.log');
      },
      sample: async (engine) => ({ logs: STREAM_BYTES / MiB / ((await timed(() => sh(`docker logs ${engine.logsTarget} > /dev/null`, engine.env))) / 1000) }),
      teardown: (engine) => engine.docker('rm', '-f', engine.logsTarget),
      floor: async (engines) => {
        const file = engines.find((e) => e.logFile)?.logFile;
        if (!file) throw new Error("berthd's log file is not known");
        const { stdout } = await sh(`stat -c %s ${file}`);
        return { cat: Number(stdout) / MiB / ((await timed(() => sh(`cat ${file} > /dev/null`))) / 1000), catBytes: Number(stdout) };
      },
    },
    {
      name: 'attach',
      rounds: LONG_RUNS,
      async setup(engine) {
        const { stdout } = await sh(`docker run --rm busybox sh -c '${STREAM_SCRIPT}' | wc -c`, engine.env);
        if (Number(stdout) !== STREAM_BYTES) throw new Error(`the attached run printed ${stdout.trim()} bytes of ${STREAM_BYTES}`);
      },
      sample: async (engine) => ({ attach: STREAM_BYTES / MiB / ((await timed(() => sh(`docker run --rm busybox sh -c '${STREAM_SCRIPT}' > /dev/null`, engine.env))) / 1000) }),
      floor: async () => ({ pipe: STREAM_BYTES / MiB / ((await timed(() => sh(`cd "$(mktemp -d)" && busybox sh -c '${STREAM_SCRIPT.replaceAll('/tmp/lines', 'lines')}' | cat > /dev/null; rm -rf "$PWD"`))) / 1000) }),
    },
    {
      name: 'ping',
      rounds: RUNS,
      sample: async (engine) => ({ ping: await pingRound(engine.socket) }),
    },
  ];
}

/** Runs one step over every engine and the floor; failures are kept per engine to print FAIL. */
async function runStep(step, engines, floor) {
  const live = () => engines.filter((e) => !e.error);
  for (const engine of live()) if (step.setup) await guard(engine, step.name, () => step.setup(engine));
  try {
    const participants = [...engines, ...(floor && step.floor ? [floor] : [])];
    for (let round = 0; round < step.rounds; round++) {
      for (const who of rotate(participants, round)) {
        await guard(who, step.name, async () => {
          const values = who === floor ? await step.floor(engines) : await step.sample(who);
          for (const [key, value] of Object.entries(values)) (who.samples[key] ??= []).push(value);
        });
      }
    }
  } finally {
    for (const engine of live()) if (step.teardown) await step.teardown(engine).catch(() => undefined);
  }
}

const fmt = (value, unit) => {
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 1 ? 3 : value < 10 ? 1 : 0)} ms`;
  return `${value.toFixed(unit === 'MiB' ? 1 : 0)} ${unit}`;
};

/** The figure's median for `who`, or why there is none. */
function valueOf(who, figure) {
  if (who.error) return { error: who.error };
  if (who.failed[figure.step]) return { error: who.failed[figure.step] };
  const samples = who.samples[figure.key];
  return samples?.length ? { value: median(samples), runs: samples.length } : { error: 'not measured' };
}

function floorCell(floor, figure) {
  const f = (key) => (floor.samples[key]?.length ? median(floor.samples[key]) : undefined);
  const failed = floor.error ?? floor.failed[figure.step];
  if (failed) return `FAIL (${failed})`;
  switch (figure.key) {
    case 'run':
      return f('runc') === undefined ? '' : `CLI ${fmt(f('cli'), 'ms')} + \`runc run\` ${fmt(f('runc'), 'ms')} (\`crun run\` ${fmt(f('crun'), 'ms')}, of which unshare+umount ${fmt(f('wrapper'), 'ms')})`;
    case 'exec':
      return f('runcExec') === undefined ? '' : `\`runc exec\` ${fmt(f('runcExec'), 'ms')}`;
    case 'parallel':
      return f('parallelRunc') === undefined ? '' : `${PARALLEL} parallel \`runc run\` ${fmt(f('parallelRunc'), 'ms')}`;
    case 'logs':
      return f('cat') === undefined ? '' : `\`cat\` of berthd's log file (${(f('catBytes') / MiB).toFixed(0)} MiB) ${fmt(f('cat'), 'MiB/s')}`;
    case 'attach':
      return f('pipe') === undefined ? '' : `the same output on the host through a pipe ${fmt(f('pipe'), 'MiB/s')}`;
    case 'rss20':
      return floor.supervisorEach === undefined ? '' : `conmon ${fmt(floor.supervisorEach, 'MiB')} each (berthd's)`;
    default:
      return '';
  }
}

/** The goal's text and, from berthd's value and the engines', `met`, the largest gap, or why it cannot be judged. */
function judge(figure, berthd, byKind) {
  const text = figure.goal.map((g) => (g.below ? `< ${g.vs}` : g.vs ? (g.max === 1 ? `≤ ${g.vs}` : `≤ ${g.max}× ${g.vs}`) : `${g.max !== undefined ? '≤' : '≥'} ${fmt(g.max ?? g.min, figure.unit)}`)).join(', ');
  if (berthd.error) return { text, status: 'FAIL' };
  let gap = 1;
  for (const g of figure.goal) {
    if (g.vs) {
      const other = byKind[g.vs];
      if (!other || other.error) return { text, status: `no ${g.vs} figure` };
      const ratio = berthd.value / other.value;
      if (g.below && ratio >= 1) return { text, status: `gap ${ratio.toFixed(2)}×` };
      if (!g.below) gap = Math.max(gap, ratio / g.max);
    } else if (g.max !== undefined) gap = Math.max(gap, berthd.value / g.max);
    else gap = Math.max(gap, g.min / berthd.value);
  }
  return { text, status: gap <= 1 ? 'met' : `gap ${gap.toFixed(2)}×` };
}

function printTable(engines, floor, took) {
  const [berthd, ...others] = engines;
  const header = ['figure', 'runs', ...engines.map((e) => e.name), ...(floor ? ['floor'] : []), ...others.map((e) => `berthd/${e.name}`), 'goal', 'status'];
  const rows = [];
  for (const figure of FIGURES.filter((f) => wanted(f.step))) {
    const values = engines.map((e) => valueOf(e, figure));
    const byKind = {};
    engines.forEach((e, i) => (byKind[e.kind] ??= values[i]));
    const ratio = (other) => (values[0].error || other.error ? 'FAIL' : `${(values[0].value / other.value).toFixed(2)}×`);
    const runs = Math.max(0, ...values.map((v) => v.runs ?? 0));
    const { text, status } = judge(figure, values[0], byKind);
    rows.push([
      figure.label, String(runs),
      ...values.map((v) => (v.error ? `FAIL (${v.error})` : fmt(v.value, figure.unit))),
      ...(floor ? [floorCell(floor, figure)] : []),
      ...values.slice(1).map(ratio), text, status,
    ]);
  }
  console.log(`berth bench --compare: ${engines.map((e) => e.name).join(', ')}${floor ? ', floor' : ''}; medians, engines alternating round by round; ${(took / 1000).toFixed(0)} s`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.map((cell) => cell.replaceAll('|', '/')).join(' | ')} |`);
  console.log('');
  console.log(`ratios: berthd's figure over the engine's (ms and MiB: below 1 is better; MiB/s: above 1 is better). Figures of ${berthd.name} and the peers come from the same run.`);
  console.log(`create+start+stop+rm and start alone: POST /containers/create (sh trapping TERM), /start, /stop?t=5, DELETE, each timed; the cycle is their sum.`);
  console.log(`rm -f: one \`docker rm -f\` of ${MANY} running \`sleep 600\` containers (created and started through the API before the timing), as a user's cleanup is.`);
  console.log(`logs and attached output: ${STREAM_BYTES / MiB} MiB of 100-byte lines to the CLI's stdout, redirected to /dev/null; \`docker run --rm\` through the CLI, attached.`);
  console.log(`GET /_ping: ${PINGS} requests in a row over one kept-alive connection (node:http), the median per request; the row's figure is the median of the rounds.`);
  console.log(`idle RSS: ${RSS_DEFINITION}; ${IDLE_CONTAINERS} containers running \`sleep 600\`.`);
  if (engines.some((e) => e.kind === 'podman' && e.netns)) console.log('podman runs in a network namespace of the bench (its default network is a netavark bridge), with runc and cgroupfs.');
  if (floor) console.log(`floor: ${CRUN_NOTE}; \`docker --version\` is the CLI's own start-up.`);
}

/** Removes the containers of each engine (they outlive it), then stops it, its mounts and its network namespace. */
async function cleanUp(engines) {
  for (const engine of engines.splice(0)) {
    try {
      await removeContainers(engine);
      await removeContainers(engine);
      await engine.stop?.();
    } finally {
      await engine.netns?.remove().catch(() => undefined);
    }
  }
}

export async function compareMain(argv) {
  const options = parseArgs(argv);
  const startedAt = process.hrtime.bigint();
  const root = await mkdtemp('/tmp/berth-bench-compare-');
  const cleanup = [];
  let floorRig;
  let cleaning;
  let interruptedBy;
  const finish = () =>
    (cleaning ??= (async () => {
      await cleanUp(cleanup);
      await floorRig?.stop();
      await unmountUnder(root);
      await rm(root, { recursive: true, force: true });
    })());
  // The engines run in process groups of their own: a Ctrl-C reaches the bench alone, which removes what it made.
  const interrupted = async (signal) => {
    console.error(`bench: ${signal}, removing the containers and stopping the engines`);
    interruptedBy = signal;
    for (const engine of cleanup) engine.error = `interrupted by ${signal}`;
    await finish();
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const archive = await busyboxArchive();
    const engines = await startEngines(root, options.sockets, cleanup);
    for (const engine of engines) {
      await guard(engine, 'load', async () => {
        if (!engine.stop) {
          const images = await engine.api('GET', '/images/json');
          if (images.some((image) => image.RepoTags?.some((tag) => /(^|\/)busybox:latest$/.test(tag)))) return;
        }
        await engine.docker('load', '-i', archive);
        await engine.docker('run', '--rm', 'busybox', 'true');
      });
      if (engine.failed.load) engine.error = `loading busybox: ${engine.failed.load}`;
    }
    let floor;
    if (options.floor) {
      floor = { name: 'floor', failed: {}, samples: {} };
      try {
        floorRig = await prepareFloor(join(root, 'floor'), archive);
      } catch (err) {
        floor.error = reason(err);
      }
    }
    for (const step of steps(floorRig)) if (wanted(step.name)) await runStep(step, engines, floor);
    if (floor) floor.supervisorEach = engines[0].supervisorEach;
    if (!interruptedBy) printTable(engines, floor, Number(process.hrtime.bigint() - startedAt) / 1e6);
  } finally {
    await finish();
  }
}
