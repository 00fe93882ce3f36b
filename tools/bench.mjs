#!/usr/bin/env node
// Prints Berth's performance figures (DESIGN §7). Not a test: it measures, it does not judge.
// Starts its own berthd on a temp data root, loads busybox, then times:
//   - `docker run --rm busybox true` through the real docker CLI (median of N runs)
//   - the same work through the raw API (create, attach-less start, wait, delete)
//   - daemon start-up time and idle RSS
//   - image save and load throughput of a 300 MB image of random (incompressible) layers, against
//     `tar` + `sha256sum` over the same data as the floor (BENCH_IMAGE_MB sets the size; 0 skips it)
//   - `docker logs` throughput over a container that wrote 50 MB to stdout, and `docker exec c true` latency
//   - docker push and pull throughput of the same random image through a loopback berth-registry, against the reference
//     engine (Debian's dockerd, started on sockets and roots of its own) in the same run, and the floor: gzip + sha256sum
//     of the layer tars for push, sha256sum + tar -xz of the pushed blobs for pull (BENCH_ONLY=dist; skipped with
//     BENCH_IMAGE_MB=0; without /usr/sbin/dockerd the reference column says so)
//   - `ps -a` over 1,000 created containers (API and CLI) and daemon start-up over them (BENCH_PS_CONTAINERS; 0 skips it)
//   - stdin throughput: 200 MB of random bytes piped into `docker run -i --rm busybox sha256sum`, against the same
//     pipe into the host's `sha256sum` as the floor (BENCH_STDIN_MB sets the size; 0 skips it)
//   - networking, berthd against the reference dockerd in the same run, each engine in a network namespace the bench
//     makes for it (dockerd with its bridge, iptables and docker-proxy, as Docker users have it): what the default bridge
//     adds to `docker run --rm busybox true` over `--network none` (BENCH_NET_RUNS runs each), and the throughput of a
//     200 MB file served by busybox httpd in a container through a published port, fetched by curl from 127.0.0.1
//   - docker build (classic builder): a 10-step Dockerfile and a 300 MB context, cold and cached, against the
//     reference dockerd in the same run (tools/bench-build.mjs; BENCH_BUILD_MB sets the context size)
//     and the floor: the same CLI against a server that only reads the context (tools/bench-build.mjs)
//   - the wall time of the compatibility suite's testcontainers scenario, berthd against the reference dockerd in the
//     same run, each in a network namespace of its own (BENCH_TC_ROUNDS rounds)
//   - CLI start-up: `berth version`, `berth ps` and `berth run --rm busybox true` against `docker …` (the same berthd)
//     and bare Node (`node -e 0`), alternating, medians and ratios; also the floor for a Node CLI's `ps` (node sending
//     the same two requests, /_ping and /containers/json, with node:http) and berth's first run, before its compile
//     cache (in a fresh $XDG_CACHE_HOME) holds anything (BENCH_ONLY=cli)
// BENCH_ONLY=run,io,image,dist,ps,stdin,net,build,tc,cli (a comma-separated subset) times only those figures.
// `--compare [unix:///path.sock]… [--floor]` prints instead the performance issue's table, berthd against dockerd and
// podman or the engines named (tools/bench-compare.mjs).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, mkdir, stat, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { buildBench, printBuild, startBuildFloor } from './bench-build.mjs';
import { compareMain, comparing } from './bench-compare.mjs';
import {
  DOCKERD, RUNS, api, busyboxArchive, execFileAsync, guard, median, ms, rate, reason, repo, sh, startDaemon,
  startReferenceDockerd, stopDaemon, timed, unmountUnder, waitExit, wanted,
} from './bench-common.mjs';
import { createBenchNetns } from './bench-netns.mjs';

const IMAGE_MB = Number(process.env.BENCH_IMAGE_MB ?? 300);
const LAYERS = 3;
const PS_COUNT = Number(process.env.BENCH_PS_CONTAINERS ?? 1000);
const STDIN_MB = Number(process.env.BENCH_STDIN_MB ?? 200);
const NET_RUNS = Number(process.env.BENCH_NET_RUNS ?? 15);
async function sha256File(path) {
  const { stdout } = await execFileAsync('sha256sum', [path]);
  return `sha256:${stdout.split(' ')[0]}`;
}

/** A docker-archive of LAYERS layers, each one file of random bytes, IMAGE_MB in total. */
async function randomImageArchive(dir) {
  const layerTars = [];
  for (let i = 0; i < LAYERS; i++) {
    const content = join(dir, `layer${i}`);
    await mkdir(content, { recursive: true });
    const chunk = Math.floor((IMAGE_MB * 1024 * 1024) / LAYERS / 16);
    const parts = [];
    for (let j = 0; j < 16; j++) parts.push(randomBytes(chunk));
    await writeFile(join(content, `random-${i}.bin`), Buffer.concat(parts));
    const tar = join(dir, `layer${i}.tar`);
    await execFileAsync('tar', ['-C', content, '-cf', tar, '.']);
    layerTars.push(tar);
  }
  const diffIds = [];
  for (const tar of layerTars) diffIds.push(await sha256File(tar));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['true'] }, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const configHex = createHash('sha256').update(config).digest('hex');
  const staging = join(dir, 'archive');
  await mkdir(staging);
  await writeFile(join(staging, `${configHex}.json`), config);
  const layerNames = [];
  for (const [i, tar] of layerTars.entries()) {
    const name = `${diffIds[i].slice(7)}/layer.tar`;
    await mkdir(join(staging, dirname(name)));
    await execFileAsync('cp', [tar, join(staging, name)]);
    layerNames.push(name);
  }
  await writeFile(join(staging, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['bench/random:latest'], Layers: layerNames }]));
  const archive = join(dir, 'random.tar');
  await execFileAsync('tar', ['-C', staging, '-cf', archive, '.']);
  await rm(staging, { recursive: true });
  return { archive, layerTars, contentDirs: Array.from({ length: LAYERS }, (_, i) => join(dir, `layer${i}`)) };
}

/** `docker logs` of 50 MB of base64 output (against `cat` of the log file), and `docker exec c true` latency. */
async function containerIo(root, env) {
  await execFileAsync('docker', ['run', '--name', 'bench-logs', 'busybox', 'sh', '-c', 'head -c 37500000 /dev/urandom | base64'], { env, maxBuffer: 128 * 1024 * 1024 });
  const { stdout: id } = await execFileAsync('docker', ['inspect', '-f', '{{.Id}}', 'bench-logs'], { env });
  const logFile = join(root, 'data', 'containers', id.trim(), 'container.log');
  const { stdout: counted } = await sh('docker logs bench-logs | wc -c', env);
  const bytes = Number(counted.trim());
  const logs = median([await timed(() => sh('docker logs bench-logs > /dev/null', env)), await timed(() => sh('docker logs bench-logs > /dev/null', env)), await timed(() => sh('docker logs bench-logs > /dev/null', env))]);
  const floor = await timed(() => sh(`cat ${logFile} > /dev/null`));
  await execFileAsync('docker', ['rm', 'bench-logs'], { env });
  await execFileAsync('docker', ['run', '-d', '--name', 'bench-exec', 'busybox', 'sleep', '600'], { env });
  await execFileAsync('docker', ['exec', 'bench-exec', 'true'], { env });
  const exec = [];
  for (let i = 0; i < RUNS; i++) exec.push(await timed(() => execFileAsync('docker', ['exec', 'bench-exec', 'true'], { env })));
  await execFileAsync('docker', ['rm', '-f', 'bench-exec'], { env });
  return { bytes, logs, floor, exec: median(exec) };
}

/** `docker load` and `docker save` of the random image, and the tar + sha256sum floor for each. */
async function imageThroughput(root, env) {
  const dir = join(root, 'bench-image');
  await mkdir(dir);
  const { archive, contentDirs } = await randomImageArchive(dir);
  const bytes = (await stat(archive)).size;
  await sh(`cat ${archive} > /dev/null`);
  const load = await timed(() => execFileAsync('docker', ['load', '-i', archive], { env }));
  const saved = join(dir, 'saved.tar');
  const save = await timed(() => execFileAsync('docker', ['save', '-o', saved, 'bench/random'], { env }));
  const savedBytes = (await stat(saved)).size;
  const extractTo = join(dir, 'extract');
  await mkdir(extractTo);
  // The floor for load: read the archive once, hash it and unpack it (what load must at least do).
  const loadFloor = await timed(() => sh(`tee < ${archive} >(sha256sum > /dev/null) | tar -x -C ${extractTo}`));
  // The floor for save: pack the layers' content and hash the stream (what save must at least do).
  const saveFloor = await timed(() => sh(`{ ${contentDirs.map((d) => `tar -C ${d} -cf - .`).join('; ')}; } | tee >(sha256sum > /dev/null) > ${join(dir, 'floor.tar')}`));
  await execFileAsync('docker', ['rmi', 'bench/random'], { env });
  await rm(dir, { recursive: true, force: true });
  return { bytes, savedBytes, load, save, loadFloor, saveFloor };
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A berth-registry on a loopback port with filesystem storage under `dir`, as e2e/src/registry-harness.ts starts it. */
async function startBenchRegistry(dir) {
  await mkdir(dir, { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(dir, 'config.yml');
  const storage = join(dir, 'data');
  await writeFile(config, `version: 0.1\nhttp:\n  addr: ${host}\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n`);
  const child = spawn(process.execPath, [join(repo, 'packages/registry/dist/bin/berth-registry.js'), 'serve', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async () => {
    child.kill('SIGTERM');
    await waitExit(child);
    await rm(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (await fetch(`http://${host}/v2/`).then(() => true, () => false)) break;
    if (child.exitCode !== null || attempt > 200) {
      await stop();
      throw new Error(`berth-registry did not answer on ${host}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const blobFiles = async () => {
    const root = join(storage, 'docker/registry/v2/blobs/sha256');
    const files = [];
    for (const prefix of await readdir(root)) for (const hex of await readdir(join(root, prefix))) files.push(join(root, prefix, hex, 'data'));
    return files;
  };
  return { host, stop, blobFiles };
}

/**
 * docker push and pull of the random image, berthd against the reference dockerd, alternating, 3 rounds. Each
 * push goes to a registry started empty for it (so no blob is there already and no cross-repository mount can
 * succeed: dockerd tries one from any repository of the same registry it pushed to or pulled from before), and
 * the pull that follows fetches what that engine pushed, into a store the image was just removed from.
 */
async function distThroughput(root, berthEnv) {
  const dir = join(root, 'bench-dist');
  await mkdir(dir);
  const { archive, layerTars, contentDirs } = await randomImageArchive(dir);
  await Promise.all(contentDirs.map((d) => rm(d, { recursive: true })));
  let bytes = 0;
  for (const tar of layerTars) bytes += (await stat(tar)).size;
  const engines = [{ name: 'berthd', env: berthEnv, push: [], pull: [] }];
  let reference;
  if (existsSync(DOCKERD)) {
    reference = await startReferenceDockerd(join(root, 'ref-dockerd'));
    engines.push({ name: 'dockerd', env: reference.env, push: [], pull: [] });
  }
  const floor = { push: [], pull: [] };
  try {
    for (const engine of engines) {
      await execFileAsync('docker', ['load', '-i', archive], { env: engine.env });
      engine.image = 'bench/random:latest';
    }
    await rm(archive);
    for (let round = 0; round < 3; round++) {
      for (const engine of round % 2 ? [...engines].reverse() : engines) {
        const registry = await startBenchRegistry(join(dir, `registry-${engine.name}-${round}`));
        try {
          const docker = (...args) => execFileAsync('docker', args, { env: engine.env, maxBuffer: 16 * 1024 * 1024 });
          const image = `${registry.host}/bench/random-${engine.name}-${round}:latest`;
          await docker('tag', engine.image, image);
          await docker('rmi', engine.image);
          engine.image = image;
          let out;
          engine.push.push(await timed(async () => ({ stdout: out } = await docker('push', image))));
          if (out.split('\n').filter((line) => line.endsWith(': Pushed')).length !== LAYERS) throw new Error(`${engine.name} did not upload every layer:\n${out}`);
          await docker('rmi', image);
          engine.pull.push(await timed(async () => ({ stdout: out } = await docker('pull', image))));
          if (out.split('\n').filter((line) => line.endsWith(': Pull complete')).length !== LAYERS) throw new Error(`${engine.name} did not fetch every layer:\n${out}`);
          if (engine === engines[0]) {
            // The floor for pull: hash and unpack the blobs berthd pushed (what a pull must at least do once they are here).
            const blobs = [];
            for (const file of await registry.blobFiles()) if ((await stat(file)).size > 1024 * 1024) blobs.push(file);
            const to = join(dir, 'floor');
            await mkdir(to);
            floor.pull.push(await timed(() => sh(blobs.map((blob) => `tee < ${blob} >(sha256sum > /dev/null) | tar -xz -C ${to}`).join(' && '))));
            await rm(to, { recursive: true });
            // The floor for push: compress and hash the layer tars (what a push must at least do before the upload).
            floor.push.push(await timed(() => sh(layerTars.map((tar) => `gzip -c < ${tar} | tee >(sha256sum > /dev/null) > ${join(dir, 'floor.tar.gz')}`).join(' && '))));
          }
        } finally {
          await registry.stop();
        }
      }
    }
  } finally {
    for (const engine of engines) if (engine.image) await execFileAsync('docker', ['rmi', engine.image], { env: engine.env }).catch(() => undefined);
    await reference?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const result = { bytes, floorPush: median(floor.push), floorPull: median(floor.pull) };
  for (const engine of engines) result[engine.name] = { push: median(engine.push), pull: median(engine.pull) };
  return result;
}

/** `cat file | docker run -i --rm busybox sha256sum` over STDIN_MB of random bytes, and the same pipe into the host's sha256sum. */
async function stdinThroughput(root, env) {
  const file = join(root, 'stdin.bin');
  await writeFile(file, randomBytes(STDIN_MB * 1024 * 1024));
  const bytes = (await stat(file)).size;
  const host = await sh(`cat ${file} | sha256sum`);
  const floor = median([await timed(() => sh(`cat ${file} | sha256sum`)), await timed(() => sh(`cat ${file} | sha256sum`)), await timed(() => sh(`cat ${file} | sha256sum`))]);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    let out;
    runs.push(await timed(async () => ({ stdout: out } = await sh(`cat ${file} | docker run -i --rm busybox sha256sum`, env))));
    if (out !== host.stdout) throw new Error(`stdin arrived changed: sha256sum in the container printed ${out.trim()}, on the host ${host.stdout.trim()}`);
  }
  await rm(file);
  return { bytes, run: median(runs), floor };
}

/** `ps -a` over PS_COUNT created (never started) containers, through the API and the CLI, and a restart over them. */
async function manyContainers(socket, env) {
  for (let i = 0; i < PS_COUNT; i++) await api(socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] });
  const list = [];
  const cli = [];
  for (let i = 0; i < 5; i++) list.push(await timed(() => api(socket, 'GET', '/containers/json?all=1')));
  for (let i = 0; i < 5; i++) cli.push(await timed(() => execFileAsync('docker', ['ps', '-a'], { env, maxBuffer: 16 * 1024 * 1024 })));
  return { list: median(list), cli: median(cli) };
}

const BERTH = join(repo, 'packages/cli/dist/bin/berth.js');
// What a Node CLI's `ps` cannot avoid: start, load node:http, ping (version negotiation), list, over one connection.
const NODE_PS_FLOOR = `const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const get = (path, then) => http.get({ socketPath: process.argv[1], path, agent, servername: '', setHost: false, headers: { Host: 'api.moby.localhost' } }, (res) => res.resume().on('end', then));
get('/_ping', () => get('/v1.47/containers/json', () => agent.destroy()));`;

/**
 * Wall time of `berth` commands against `docker`'s and bare Node's start, run in turns so load on the machine touches
 * each alike. berth runs as users run it (its shebang), its compile cache in a fresh directory (the first run fills it).
 */
async function cliStartup(root, socket, env) {
  const berthEnv = { ...env, XDG_CACHE_HOME: join(root, 'cli-cache') };
  const firstRun = await timed(() => execFileAsync(BERTH, ['version'], { env: berthEnv }));
  const commands = [['version'], ['ps'], ['run', '--rm', 'busybox', 'true']];
  const rows = [
    { name: 'node -e 0', run: () => execFileAsync(process.execPath, ['-e', '0']) },
    { name: 'node, /_ping + /containers/json', run: () => execFileAsync(process.execPath, ['-e', NODE_PS_FLOOR, socket]) },
    ...commands.flatMap((args) => [
      { name: `berth ${args.join(' ')}`, run: () => execFileAsync(BERTH, args, { env: berthEnv }) },
      { name: `docker ${args.join(' ')}`, run: () => execFileAsync('docker', args, { env }) },
    ]),
  ];
  for (const row of rows) await row.run();
  const times = rows.map(() => []);
  for (let i = 0; i < RUNS; i++) for (const [j, row] of rows.entries()) times[j].push(await timed(row.run));
  return { firstRun, rows: rows.map((row, j) => ({ name: row.name, ms: median(times[j]) })) };
}

function printCliStartup({ firstRun, rows }) {
  const byName = Object.fromEntries(rows.map((row) => [row.name, row.ms]));
  const node = byName['node -e 0'];
  console.log(`  CLI start-up (wall time, berth and docker against the same berthd; ratios to node -e 0):`);
  for (const { name, ms: t } of rows) {
    const versus = name.startsWith('berth ') ? `, ${(t / byName[`docker ${name.slice(6)}`]).toFixed(1)}x docker` : '';
    console.log(`    ${name.padEnd(36)} ${ms(t).padStart(9)}  ${(t / node).toFixed(2)}x${versus}`);
  }
  console.log(`    berth version, first run (empty compile cache): ${ms(firstRun)}`);
}

const NET_PAYLOAD_BYTES = 200 * 1024 * 1024;
const NET_PORT = 18080;
const NET_FETCHES = 5;
/** busybox httpd on 8080, serving /big (NET_PAYLOAD_BYTES of zeros written in the container) and /ready. */
const HTTPD = ['busybox', 'sh', '-c', `mkdir -p /www && head -c ${NET_PAYLOAD_BYTES} /dev/zero > /www/big && echo ok > /www/ready && exec httpd -f -p 8080 -h /www`];

/** One engine for the networking figures: started in a network namespace of its own, busybox loaded. */
async function startNetEngine(name, dir, archive, launch) {
  const engine = { name, failed: {}, runs: { bridge: [], none: [] }, fetches: [] };
  try {
    engine.netns = await createBenchNetns();
    Object.assign(engine, await launch(engine.netns, dir));
    engine.docker = (...args) => execFileAsync('docker', args, { env: engine.env, maxBuffer: 16 * 1024 * 1024 });
    engine.storage = (await engine.docker('info', '--format', '{{.Driver}}')).stdout.trim();
    await engine.docker('load', '-i', archive);
  } catch (err) {
    engine.error = reason(err);
  }
  return engine;
}

/** curl's `size_download time_total` of http://127.0.0.1:NET_PORT/path, fetched from the engine's namespace. */
async function fetchPublished(engine, path) {
  const [command, ...prefix] = engine.netns.enter;
  const { stdout } = await execFileAsync(command, [...prefix, 'curl', '-sS', '--fail', '--max-time', '120', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', `http://127.0.0.1:${NET_PORT}${path}`]);
  const [bytes, seconds] = stdout.trim().split(' ').map(Number);
  return { bytes, ms: seconds * 1000 };
}

/**
 * berthd and, when it is installed, the reference dockerd, each started in a network namespace the bench makes for it
 * (under `root`/`prefix`-<engine>), busybox loaded. An engine that failed to start carries `error`.
 */
async function startNetEngines(root, prefix, archive) {
  const engines = [
    await startNetEngine('berthd', join(root, `${prefix}-berthd`), archive, async (netns, dir) => {
      await mkdir(dir);
      const socket = join(dir, 'berth.sock');
      const { daemon } = await startDaemon(dir, socket, netns);
      const stop = async () => {
        await stopDaemon(daemon);
        await unmountUnder(dir);
        await rm(dir, { recursive: true, force: true });
      };
      return { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') }, stop };
    }),
  ];
  if (existsSync(DOCKERD)) engines.push(await startNetEngine('dockerd', join(root, `${prefix}-dockerd`), archive, (netns, dir) => startReferenceDockerd(dir, netns)));
  return engines;
}

/** Removes every container of each engine (they outlive the engine), stops it and deletes its namespace. */
async function stopNetEngines(engines) {
  for (const engine of engines) {
    if (engine.docker) {
      const { stdout } = await engine.docker('ps', '-aq').catch(() => ({ stdout: '' }));
      const ids = stdout.split('\n').filter(Boolean);
      if (ids.length) await engine.docker('rm', '-f', ...ids).catch(() => undefined);
    }
    try {
      await engine.stop?.();
    } finally {
      await engine.netns?.remove();
    }
  }
}

/**
 * The networking figures of berthd and of the reference dockerd, each engine running in a network namespace the
 * bench makes for it. Rounds alternate between the engines and between bridge and none, so that the shared machine's
 * load falls on all four alike.
 */
async function networkBench(root, archive) {
  const engines = await startNetEngines(root, 'net', archive);
  const alternate = (round, xs) => (round % 2 ? [...xs].reverse() : xs);
  const runTrue = (engine, network) => engine.docker('run', '--rm', ...(network === 'none' ? ['--network', 'none'] : []), 'busybox', 'true');
  try {
    for (const engine of engines) for (const network of ['bridge', 'none']) for (let i = 0; i < 3; i++) await guard(engine, 'run', () => runTrue(engine, network));
    for (let round = 0; round < NET_RUNS; round++) {
      for (const engine of alternate(round, engines)) {
        for (const network of alternate(round, ['bridge', 'none'])) await guard(engine, 'run', async () => engine.runs[network].push(await timed(() => runTrue(engine, network))));
      }
    }
    for (const engine of engines) {
      await guard(engine, 'port', async () => {
        await engine.docker('run', '-d', '--name', 'bench-net-httpd', '-p', `${NET_PORT}:8080`, ...HTTPD);
        for (let attempt = 0; !(await fetchPublished(engine, '/ready').then(() => true, () => false)); attempt++) {
          if (attempt > 300) throw new Error(`the published port ${NET_PORT} never answered`);
          await new Promise((r) => setTimeout(r, 100));
        }
        await fetchPublished(engine, '/big');
      });
    }
    for (let round = 0; round < NET_FETCHES; round++) {
      for (const engine of alternate(round, engines)) {
        await guard(engine, 'port', async () => {
          const { bytes, ms: took } = await fetchPublished(engine, '/big');
          if (bytes !== NET_PAYLOAD_BYTES) throw new Error(`fetched ${bytes} bytes of ${NET_PAYLOAD_BYTES}`);
          engine.fetches.push(took);
        });
      }
    }
  } finally {
    await stopNetEngines(engines);
  }
  return engines.map((engine) => {
    const failure = (figure) => engine.error ?? engine.failed[figure];
    return {
      name: engine.name,
      storage: engine.storage,
      run: failure('run') ? { error: failure('run') } : { bridge: median(engine.runs.bridge), none: median(engine.runs.none) },
      port: failure('port') ? { error: failure('port') } : { ms: median(engine.fetches) },
    };
  });
}

/** Prints the networking figures: each engine's, then berthd's against dockerd's; a figure not taken prints FAIL. */
function printNetwork(net) {
  const [berthd, dockerd] = net;
  const fail = (figure) => `FAIL (${figure.error})`;
  const added = (figure) => figure.bridge - figure.none;
  const name = (engine) => `${engine.name}:`.padEnd(9);
  const engines = dockerd ? `berthd and dockerd (${DOCKERD}, storage driver ${dockerd.storage ?? 'unknown'}, with its bridge, iptables and docker-proxy)` : `berthd (${DOCKERD} not installed)`;
  console.log(`  networking, ${engines}, each in a network namespace of its own:`);
  console.log(`    docker run --rm busybox true, default bridge against --network none (${NET_RUNS} runs each, medians):`);
  for (const engine of net) {
    const goal = engine === berthd ? ' (goal: under 30 ms)' : '';
    console.log(`      ${name(engine)} ${engine.run.error ? fail(engine.run) : `bridge ${ms(engine.run.bridge)}, none ${ms(engine.run.none)}: the bridge adds ${ms(added(engine.run))}${goal}`}`);
  }
  if (dockerd) {
    const ratio = berthd.run.error || dockerd.run.error ? 'FAIL' : `${(added(berthd.run) / added(dockerd.run)).toFixed(2)}x`;
    console.log(`      berthd/dockerd, ms the bridge adds: ${ratio}`);
  }
  console.log(`    published port, ${NET_PAYLOAD_BYTES / 1024 / 1024} MB from busybox httpd fetched with curl from 127.0.0.1:${NET_PORT} (${NET_FETCHES} rounds, medians):`);
  for (const engine of net) console.log(`      ${name(engine)} ${engine.port.error ? fail(engine.port) : `${rate(NET_PAYLOAD_BYTES, engine.port.ms)} (${ms(engine.port.ms)})`}`);
  if (dockerd) {
    const ratio = berthd.port.error || dockerd.port.error ? 'FAIL' : `${(dockerd.port.ms / berthd.port.ms).toFixed(2)}x`;
    console.log(`      berthd/dockerd, MB/s: ${ratio} (goal: at least 1.00x)`);
  }
}

const TC_ROUNDS = Number(process.env.BENCH_TC_ROUNDS ?? 3);
const TC_SCENARIO = join(repo, 'e2e/scripts/testcontainers-scenario.mjs');

/** One wall-clock run of the testcontainers scenario against `engine`, from its namespace; a step that failed throws. */
async function scenarioRun(engine, tmp) {
  const [command, ...prefix] = engine.netns.enter;
  const env = { ...engine.env, TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1', TMPDIR: tmp };
  let stdout;
  const took = await timed(async () => ({ stdout } = await execFileAsync(command, [...prefix, process.execPath, TC_SCENARIO], { env, maxBuffer: 1 << 24 })));
  const steps = stdout.split('\n').filter((line) => line.startsWith('{"step"')).map((line) => JSON.parse(line));
  const failed = steps.find((step) => step.error);
  if (failed || steps.length === 0) throw new Error(failed ? `step ${failed.step}: ${failed.error}` : 'the scenario reported no step');
  return { took, steps: steps.length };
}

/**
 * The compatibility suite's testcontainers scenario (e2e/scripts/testcontainers-scenario.mjs) timed end to end, berthd
 * against the reference dockerd, each in a network namespace of its own with the scenario's Debian-based image built
 * there; one warm-up run each, then TC_ROUNDS rounds alternating between the engines.
 */
async function testcontainersBench(root, archive) {
  const engines = await startNetEngines(root, 'tc', archive);
  const context = join(root, 'tc-debian');
  let steps = 0;
  try {
    const made = await execFileAsync(process.execPath, [join(repo, 'tools/debian-image.mjs'), context]).catch((err) => err);
    for (const engine of engines) {
      engine.walls = [];
      engine.tmp = join(root, `tc-tmp-${engine.name}`);
      await mkdir(engine.tmp);
      if (made instanceof Error) engine.failed.scenario = `making the Debian image's context: ${reason(made)}`;
      await guard(engine, 'scenario', async () => {
        await execFileAsync('docker', ['build', '-q', '-t', 'berth-debian:test', context], { env: { ...engine.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 1 << 24 });
        await scenarioRun(engine, engine.tmp);
      });
    }
    for (let round = 0; round < TC_ROUNDS; round++) {
      for (const engine of round % 2 ? [...engines].reverse() : engines) {
        await guard(engine, 'scenario', async () => {
          const run = await scenarioRun(engine, engine.tmp);
          engine.walls.push(run.took);
          steps = run.steps;
        });
      }
    }
  } finally {
    await stopNetEngines(engines);
  }
  return { steps, engines: engines.map((engine) => ({ name: engine.name, error: engine.error ?? engine.failed.scenario, ms: engine.walls?.length ? median(engine.walls) : undefined })) };
}

/** Prints the testcontainers scenario's wall time per engine and berthd's ratio to dockerd; a failed engine prints FAIL. */
function printTestcontainers({ steps, engines }) {
  console.log(`  testcontainers scenario (e2e/scripts/testcontainers-scenario.mjs, ${steps} steps), wall time, each engine in a network namespace of its own (${TC_ROUNDS} rounds alternating, medians):`);
  for (const engine of engines) console.log(`    ${`${engine.name}:`.padEnd(9)} ${engine.error ? `FAIL (${engine.error})` : ms(engine.ms)}`);
  const [berthd, dockerd] = engines;
  if (dockerd) console.log(`    berthd/dockerd, wall time: ${berthd.error || dockerd.error ? 'FAIL' : `${(berthd.ms / dockerd.ms).toFixed(2)}x`}`);
}

/** The build figures, berthd against the reference dockerd (started here with busybox loaded) when it is installed. */
async function buildFigures(root, berthEnv, archive) {
  const engines = [{ name: 'berthd', env: berthEnv }];
  const reference = existsSync(DOCKERD) ? await startReferenceDockerd(join(root, 'build-dockerd')) : undefined;
  let floor;
  try {
    if (reference) {
      await execFileAsync('docker', ['load', '-i', archive], { env: reference.env });
      engines.push({ name: 'dockerd', env: reference.env });
    }
    const dir = join(root, 'bench-build');
    await mkdir(dir);
    floor = await startBuildFloor(dir);
    return await buildBench(dir, [...engines, floor]);
  } finally {
    await floor?.close();
    await reference?.stop();
  }
}

async function main() {
  const root = await mkdtemp('/tmp/berth-bench-');
  const socket = join(root, 'berth.sock');
  const host = `unix://${socket}`;
  const archive = await busyboxArchive();
  let { daemon, readyMs } = await startDaemon(root, socket);
  const env = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(root, 'docker-config') };
  try {
    await execFileAsync('docker', ['load', '-i', archive], { env });
    const idleRss = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${daemon.pid}/status`, 'utf8'))[1]) / 1024;
    await execFileAsync('docker', ['run', '--rm', 'busybox', 'true'], { env });

    const cli = [];
    for (let i = 0; i < (wanted('run') ? RUNS : 0); i++) cli.push(await timed(() => execFileAsync('docker', ['run', '--rm', 'busybox', 'true'], { env })));

    const cycle = { create: [], start: [], wait: [], stop: [], remove: [] };
    for (let i = 0; i < (wanted('run') ? RUNS : 0); i++) {
      let id;
      cycle.create.push(await timed(async () => ({ Id: id } = await api(socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 60 & wait'] }))));
      cycle.start.push(await timed(() => api(socket, 'POST', `/containers/${id}/start`)));
      cycle.stop.push(await timed(() => api(socket, 'POST', `/containers/${id}/stop?t=1`)));
      cycle.remove.push(await timed(() => api(socket, 'DELETE', `/containers/${id}`)));
    }
    const runTrue = [];
    for (let i = 0; i < (wanted('run') ? RUNS : 0); i++) {
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
    const io = wanted('io') ? await containerIo(root, env) : undefined;
    const image = IMAGE_MB > 0 && wanted('image') ? await imageThroughput(root, env) : undefined;
    const dist = IMAGE_MB > 0 && wanted('dist') ? await distThroughput(root, env) : undefined;
    const stdin = STDIN_MB > 0 && wanted('stdin') ? await stdinThroughput(root, env) : undefined;
    const many = PS_COUNT > 0 && wanted('ps') ? await manyContainers(socket, env) : undefined;
    if (many) {
      await stopDaemon(daemon);
      ({ daemon, readyMs: many.readyMs } = await startDaemon(root, socket));
    }
    const net = wanted('net') ? await networkBench(root, archive) : undefined;
    const build = wanted('build') ? await buildFigures(root, env, archive) : undefined;
    const tc = wanted('tc') ? await testcontainersBench(root, archive) : undefined;
    const cliStart = wanted('cli') ? await cliStartup(root, socket, env) : undefined;
    console.log(`berth bench (${RUNS} runs each, medians)`);
    console.log(`  daemon ready after start:                 ${ms(readyMs)}`);
    console.log(`  daemon idle RSS:                          ${idleRss.toFixed(1)} MB`);
    if (wanted('run')) {
      console.log(`  docker run --rm busybox true (CLI):       ${ms(median(cli))}`);
      console.log(`  API create+start+wait(removed), --rm true: ${ms(median(runTrue))}`);
      console.log(`  API create/start/stop/rm cycle:           ${ms(median(total))}  (create ${ms(median(cycle.create))}, start ${ms(median(cycle.start))}, stop ${ms(median(cycle.stop))}, rm ${ms(median(cycle.remove))})`);
    }
    if (io) {
      console.log(`  docker logs, ${(io.bytes / 1024 / 1024).toFixed(0)} MB of output:          ${rate(io.bytes, io.logs)} (${ms(io.logs)}); floor cat of the log file ${rate(io.bytes, io.floor)}`);
      console.log(`  docker exec c true (CLI):                 ${ms(io.exec)}`);
    }
    if (image) {
      const mb = (image.bytes / 1024 / 1024).toFixed(0);
      console.log(`  docker load, ${mb} MB random image:        ${rate(image.bytes, image.load)} (${ms(image.load)}); floor tar -x + sha256sum ${rate(image.bytes, image.loadFloor)}`);
      console.log(`  docker save, same image:                  ${rate(image.savedBytes, image.save)} (${ms(image.save)}); floor tar -c + sha256sum ${rate(image.bytes, image.saveFloor)}`);
    }
    if (dist) {
      const mb = (dist.bytes / 1024 / 1024).toFixed(0);
      const line = (what, berthd, dockerd, floorMs, floorName) => {
        const versus = dockerd === undefined ? `dockerd not installed (${DOCKERD})` : `dockerd ${rate(dist.bytes, dockerd)} (${ms(dockerd)}), berthd/dockerd ${(dockerd / berthd).toFixed(2)}x`;
        console.log(`  docker ${what}: berthd ${rate(dist.bytes, berthd)} (${ms(berthd)}); ${versus}; floor ${floorName} ${rate(dist.bytes, floorMs)}`);
      };
      console.log(`  docker push/pull, ${mb} MB random image (MB/s of uncompressed layer bytes, loopback berth-registry, 3 rounds):`);
      line('push', dist.berthd.push, dist.dockerd?.push, dist.floorPush, 'gzip + sha256sum');
      line('pull', dist.berthd.pull, dist.dockerd?.pull, dist.floorPull, 'sha256sum + tar -xz');
    }
    if (stdin) {
      const mb = (stdin.bytes / 1024 / 1024).toFixed(0);
      console.log(`  docker run -i sha256sum, ${mb} MB stdin:   ${rate(stdin.bytes, stdin.run)} (${ms(stdin.run)}); floor the same pipe into the host's sha256sum ${rate(stdin.bytes, stdin.floor)}`);
    }
    if (many) {
      console.log(`  GET /containers/json?all=1, ${PS_COUNT} containers: ${ms(many.list)}`);
      console.log(`  docker ps -a (CLI), ${PS_COUNT} containers:  ${ms(many.cli)}`);
      console.log(`  daemon ready after start, ${PS_COUNT} containers: ${ms(many.readyMs)}`);
    }
    if (net) printNetwork(net);
    if (build) printBuild(build);
    if (tc) printTestcontainers(tc);
    if (cliStart) printCliStartup(cliStart);
  } finally {
    await stopDaemon(daemon);
    await rm(root, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (comparing(args)) await compareMain(args);
else await main();
