// `docker build` (classic builder, DOCKER_BUILDKIT=0) through the real docker CLI, berthd against the reference
// dockerd in the same run, alternating, medians of BENCH_BUILD_ROUNDS rounds: a 10-step Dockerfile and a context of
// BENCH_BUILD_MB of random files copied by one COPY, each built cold (--no-cache, after `docker builder prune -af`
// so that no cache of any kind is left, berthd's kept context included) and cached (unchanged rebuild).
// The floor is the same CLI against a server that only reads the context and answers at once: what a build costs
// the client (tar the directory, send it) with no builder behind it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_BUILD_ROUNDS ?? 3);
const CONTEXT_MB = Number(process.env.BENCH_BUILD_MB ?? 300);
const FILE_MB = 1;

const TEN_STEPS = `FROM busybox
ENV APP=/app MODE=bench
WORKDIR /app
COPY small/ ./small/
RUN echo built > /app/built && mkdir -p /app/out
ARG VERSION=1
LABEL bench=build version=$VERSION
RUN cat /app/small/* > /app/out/all
EXPOSE 8080
CMD ["cat", "/app/out/all"]
`;

async function contexts(dir) {
  const small = join(dir, 'ten-steps');
  await mkdir(join(small, 'small'), { recursive: true });
  await writeFile(join(small, 'Dockerfile'), TEN_STEPS);
  for (let i = 0; i < 20; i++) await writeFile(join(small, 'small', `f${i}.txt`), `file ${i}\n`);
  const large = join(dir, 'large-context');
  await mkdir(join(large, 'data'), { recursive: true });
  await writeFile(join(large, 'Dockerfile'), 'FROM busybox\nCOPY data/ /data/\n');
  for (let i = 0; i < CONTEXT_MB / FILE_MB; i++) await writeFile(join(large, 'data', `blob${i}`), randomBytes(FILE_MB * 1024 * 1024));
  return { small, large };
}

async function timedBuild(engine, context, args) {
  const { env } = engine;
  // Cold: nothing cached, not even a kept context (the floor's server has no prune, and nothing to drop).
  if (args.includes('--no-cache') && engine.name !== 'floor') await execFileAsync('docker', ['builder', 'prune', '-af'], { env });
  const start = process.hrtime.bigint();
  await execFileAsync('docker', ['build', '-q', ...args, '-t', 'bench-build', context], { env: { ...env, DOCKER_BUILDKIT: '0' }, maxBuffer: 1 << 26 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The floor's server on a unix socket in `dir`: `/_ping`, and `/build` reading the whole context, then a made-up image ID. */
export async function startBuildFloor(dir) {
  const socket = join(dir, 'floor.sock');
  const server = createServer(async (request, response) => {
    if (request.url.endsWith('/_ping')) {
      response.setHeader('Api-Version', '1.47');
      response.end('OK');
      return;
    }
    if (!/\/build(\?|$)/.test(request.url)) {
      response.statusCode = 404;
      response.end(JSON.stringify({ message: `the floor serves only /build, not ${request.url}` }));
      return;
    }
    for await (const chunk of request) void chunk;
    response.setHeader('Content-Type', 'application/json');
    response.end(`${JSON.stringify({ stream: `sha256:${'0'.repeat(64)}\n` })}\n`);
  });
  await new Promise((resolve) => server.listen(socket, resolve));
  return { name: 'floor', env: { ...process.env, DOCKER_HOST: `unix://${socket}` }, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Each engine: `{ name, env }` (DOCKER_HOST pointing at it, busybox loaded). Returns, per engine and figure, the
 * median milliseconds, or an error message for a figure that failed.
 */
export async function buildBench(dir, engines) {
  const { small, large } = await contexts(dir);
  const figures = [
    ['10 steps, cold', small, ['--no-cache']],
    ['10 steps, cached', small, []],
    [`${CONTEXT_MB} MB context, cold`, large, ['--no-cache']],
    [`${CONTEXT_MB} MB context, cached`, large, []],
  ];
  const results = Object.fromEntries(engines.map((engine) => [engine.name, {}]));
  for (const [figure, context, args] of figures) {
    const times = Object.fromEntries(engines.map((engine) => [engine.name, []]));
    // A first build fills each cache, so the cached figure measures rebuilds only.
    for (const engine of engines) await timedBuild(engine, context, []).catch(() => undefined);
    for (let round = 0; round < ROUNDS; round++) {
      for (const engine of engines) {
        try {
          times[engine.name].push(await timedBuild(engine, context, args));
        } catch (err) {
          results[engine.name][figure] = { error: String(err.stderr || err.message).trim().split('\n').at(-1) };
        }
      }
    }
    for (const engine of engines) {
      const list = times[engine.name].sort((a, b) => a - b);
      if (results[engine.name][figure] === undefined) results[engine.name][figure] = { ms: list[Math.floor(list.length / 2)] };
    }
  }
  return { figures: figures.map(([figure]) => figure), results };
}

export function printBuild({ figures, results }) {
  const fmt = (r) => (r === undefined ? 'not run' : r.error !== undefined ? `FAIL (${r.error})` : `${r.ms.toFixed(0)} ms`);
  console.log(`  docker build, classic builder (DOCKER_BUILDKIT=0), ${ROUNDS} rounds alternating, medians:`);
  const ratio = (a, b, name) => (a?.ms !== undefined && b?.ms !== undefined ? `, ${name} ${(a.ms / b.ms).toFixed(2)}x` : '');
  for (const figure of figures) {
    const berthd = results.berthd?.[figure];
    const dockerd = results.dockerd?.[figure];
    const floor = results.floor?.[figure];
    const goal = figure.endsWith('cold') ? 'goal at most 0.50x' : 'goal at most 0.30x';
    const floorText = floor === undefined ? '' : `; floor (CLI against a server that only reads the context) ${fmt(floor)}${ratio(floor, dockerd, 'floor/dockerd')}`;
    console.log(`    ${figure.padEnd(26)} berthd ${fmt(berthd)}; dockerd ${fmt(dockerd)}${ratio(berthd, dockerd, 'berthd/dockerd')} (${goal})${floorText}`);
  }
}
