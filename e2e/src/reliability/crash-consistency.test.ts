import { afterAll, beforeAll, expect, it } from 'vitest';
import { useTestDaemon, type TestDaemon } from '../harness.js';
import { startRegistry, type TestRegistry } from '../registry-harness.js';
import { recordCounts } from './counts.js';
import { CRASH_OPERATIONS, fileIn, preparePullable, removeAllContainers, type CrashContext, type CrashOperation } from './crash-operations.js';
import { seededRandom } from './engine-request.js';
import { storeProblems } from './store-invariants.js';

/*
 * Crash consistency (issue 21): berthd SIGKILLed at a random instant of pull, push, load, commit, build,
 * create, start and rm, round-robin; after each restart on the same roots the stores must load, every
 * image run, the operation's result be all or nothing, nothing leak and committed data be intact.
 * The daemon runs with --bridge=none (no network endpoints are made, so none can leak; the networked
 * case is left to a test in a netns of its own). BERTH_CRASH_ITERATIONS (default 50) and BERTH_CRASH_SEED
 * repeat or extend a run.
 */
const ITERATIONS = Number(process.env['BERTH_CRASH_ITERATIONS'] ?? 50);
const SEED = Number(process.env['BERTH_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

const d = useTestDaemon({ checkAllLeftovers: true });
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

/** Images that run (busybox and what was made from it) each run `true`; committed ones still hold their data. */
async function imageProblems(d: TestDaemon, context: CrashContext): Promise<string[]> {
  const problems: string[] = [];
  const busyboxBase = (await d.docker.getImage('busybox').inspect()).RootFS.Layers?.[0];
  for (const summary of await d.docker.listImages()) {
    const inspect = await d.docker.getImage(summary.Id).inspect();
    if (inspect.RootFS.Layers?.[0] !== busyboxBase) continue;
    const run = await d.dockerCli(['run', '--rm', summary.Id, 'true']);
    if (run.code !== 0) problems.push(`image ${summary.RepoTags?.join(', ') ?? summary.Id} does not run: ${run.stderr.trim()}`);
  }
  for (const [name, content] of context.committed) {
    const now = await fileIn(d, name, '/data.txt');
    if (now !== content) problems.push(`committed image ${name} now holds ${JSON.stringify(now)}, was ${JSON.stringify(content)}`);
  }
  return problems;
}

/** Runs one operation to its end without a fault (as iteration 1000 + its index): how long it took (ms), and a check that it works at all. */
async function measure(operation: CrashOperation, context: CrashContext, iteration: number): Promise<number> {
  const prepared = await operation.prepare(context, iteration);
  const began = performance.now();
  const reply = await prepared.fire();
  const took = performance.now() - began;
  expect(reply.ok, `${operation.name} without a fault: ${reply.status} ${reply.body.slice(-500)}`).toBe(true);
  expect(await prepared.verify(reply)).toEqual([]);
  await prepared.cleanup();
  return took;
}

it(`survives SIGKILL at random points of ${CRASH_OPERATIONS.map((o) => o.name).join(', ')}`, async () => {
  console.log(`crash-consistency: seed ${SEED} (BERTH_CRASH_SEED), ${ITERATIONS} iterations (BERTH_CRASH_ITERATIONS)`);
  const random = seededRandom(SEED);
  const context: CrashContext = { d, registry: registry.host, pullable: await preparePullable(d, registry.host), committed: new Map() };
  const durations = new Map<string, number>();
  for (const [index, operation] of CRASH_OPERATIONS.entries()) durations.set(operation.name, await measure(operation, context, 1000 + index));

  const perOperation = Object.fromEntries(CRASH_OPERATIONS.map((o) => [o.name, 0]));
  const failures: string[] = [];
  let faultsInjected = 0;
  let killedMidOperation = 0;
  let strayContainers = 0;
  let iterations = 0;
  try {
    for (let i = 0; i < ITERATIONS; i++) {
      const operation = CRASH_OPERATIONS[i % CRASH_OPERATIONS.length]!;
      const delay = Math.floor(random() * durations.get(operation.name)!);
      const prepared = await operation.prepare(context, i);
      let finished = false;
      const replied = prepared.fire().then((reply) => {
        finished = true;
        return reply;
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!finished) killedMidOperation++;
      await d.kill();
      faultsInjected++;
      perOperation[operation.name]!++;
      const reply = await replied;
      await d.restart();
      const problems = [...(await prepared.verify(reply)), ...(await storeProblems(d)), ...(await imageProblems(d, context))];
      failures.push(...problems.map((p) => `iteration ${i} (${operation.name}, killed after ${delay} ms): ${p}`));
      await prepared.cleanup();
      strayContainers += await removeAllContainers(d);
      iterations++;
    }
    failures.push(...(await storeProblems(d)).map((p) => `at the end: ${p}`));
  } finally {
    recordCounts('crash-consistency', { iterations, faultsInjected, killedMidOperation, ...perOperation, strayContainers, failures: failures.length, seed: SEED });
  }
  expect(failures).toEqual([]);
});
