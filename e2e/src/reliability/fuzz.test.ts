import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_ROUTES, type EngineRoute } from '@berth/api';
import { findLeftovers, runDetached, useTestDaemon } from '../harness.js';
import { recordCounts } from './counts.js';
import {
  MALFORMED,
  SPEC,
  WELL_FORMED,
  anyBody,
  garbageBytes,
  garbageSegment,
  headerPairs,
  queryPairs,
  queryString,
  refusedBody,
  serialize,
  specOperation,
  upgradeHeaders,
  versionPrefix,
  validLooking,
  type Framing,
  type FuzzRequest,
} from './fuzz-arbitraries.js';
import { rawExchange, type RawAnswer } from '../raw-exchange.js';

// Issue 21, item 3: random and mutated requests to every route of a real berthd. Whatever a client sends,
// berthd answers it (no hung connection) with less than a 500, keeps running and serving /_ping, and no
// request changes its state. For that last property to mean something, the routes are split in three:
// READ routes change nothing and are sent anything, on the fixtures' real ids; MUTATING routes are sent only
// what must be refused (ids that do not exist, or an input designed to be invalid); OFFLINE routes, which
// would reach a registry or fetch a URL, only names no reference parser accepts, so nothing leaves the host.

// Six properties of 2500 requests each: about a minute and a half on the CI machine, within the suite's
// three-minute share of the reliability bound. BERTH_FUZZ_RUNS asks for more.
const DEFAULT_RUNS = 2500;
const RUNS = Number(process.env['BERTH_FUZZ_RUNS'] ?? DEFAULT_RUNS);
const SEED = Number(process.env['BERTH_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
/** A counterexample's path replays one property: the one BERTH_FUZZ_PROPERTY names. */
const PROPERTY = process.env['BERTH_FUZZ_PROPERTY'];
const PATH = process.env['BERTH_FUZZ_PATH'];
/** A request neither answered nor closed by then is a hung connection (generous: the machine is shared). */
const DEADLINE_MS = 15_000;

const daemon = useTestDaemon();

type Mode = 'read' | 'mutating' | 'offline' | 'unserved';
type Pool = 'containers' | 'execs' | 'images' | 'volumes' | 'networks' | 'none';

/** One operation to fuzz: a concrete path template of a served route (or of one the API has and berthd does not). */
interface Target {
  route: string;
  method: string;
  template: string;
  mode: Mode;
  pool: Pool;
  upgrade: boolean;
}

/** What each route's wildcard stands for in the API description (image search, unserved, reaches it and is a 404). */
const WILDCARD_TEMPLATES: Record<string, string[]> = {
  'GET /images/*': ['/images/{name}/json', '/images/{name}/history', '/images/{name}/get', '/images/search'],
  'POST /images/*': ['/images/{name}/tag', '/images/{name}/push'],
  'DELETE /images/*': ['/images/{name}'],
  'GET /distribution/*': ['/distribution/{name}/json'],
};

/** POSTs that change nothing a snapshot holds: waiting, attaching, resizing a terminal. */
const STATELESS_POSTS = new Set(['/containers/{id}/wait', '/containers/{id}/attach', '/containers/{id}/resize', '/exec/{id}/resize']);
/** Operations that reach a registry or fetch a URL. */
const OFFLINE = new Set(['GET /distribution/{name}/json', 'POST /images/{name}/push', 'POST /images/create', 'POST /auth', 'POST /build']);

const routeKey = (route: EngineRoute) => `${route.method} ${route.url}${route.upgrade ? ' (upgrade)' : ''}`;

function poolOf(template: string): Pool {
  if (!template.includes('{')) return 'none';
  if (template.startsWith('/containers/')) return 'containers';
  if (template.startsWith('/exec/')) return 'execs';
  if (template.startsWith('/volumes/')) return 'volumes';
  if (template.startsWith('/networks/')) return 'networks';
  return 'images';
}

function modeOf(method: string, template: string): Mode {
  if (OFFLINE.has(`${method} ${template}`)) return 'offline';
  if (method === 'GET' || method === 'HEAD' || STATELESS_POSTS.has(template)) return 'read';
  return 'mutating';
}

const SERVED: Target[] = ENGINE_ROUTES.flatMap((route) =>
  (WILDCARD_TEMPLATES[`${route.method} ${route.url}`] ?? [route.url.replace(/:(\w+)/g, '{$1}')]).map((template) => ({
    route: routeKey(route),
    method: route.method,
    template,
    mode: modeOf(route.method, template),
    pool: poolOf(template),
    upgrade: route.upgrade === true,
  })),
);

/** Operations of the API description no served route matches: a 404 whatever they are sent. */
const UNSERVED: Target[] = Object.entries(SPEC.paths).flatMap(([template, ops]) =>
  Object.keys(ops)
    .filter((method) => method !== 'parameters')
    .map((method) => method.toUpperCase())
    .filter((method) => {
      const concrete = template.replace(/\{[^}]+\}/g, 'x');
      return !ENGINE_ROUTES.some((r) => r.method === method && new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+').replace('*', '.*')}$`).test(concrete));
    })
    .map((method) => ({ route: `${method} ${template} (unserved)`, method, template, mode: 'unserved' as const, pool: poolOf(template), upgrade: false })),
);

interface Fixtures {
  pools: Record<Pool, string[]>;
  /** Every id and name a path could reach an object by (Docker matches ID prefixes): never sent to a mutating route. */
  reachable: string[];
  /** An exec created and never started: its state must stay so. */
  unstartedExec: string;
}

let fixtures: Fixtures;
let baseline: string;
let leftoversBaseline: string;

/**
 * The mounts and conmon processes under the test's root (a container started, a mount left behind). Looking
 * for conmons reads every process's command line, too slow for each request: it is compared per batch.
 */
async function mountsAndConmons(): Promise<string> {
  const { mounts, conmons } = await findLeftovers(daemon.root);
  return JSON.stringify({ mounts: mounts.sort(), conmons: conmons.sort((a, b) => a - b) });
}

const counts = { routes: 0, unservedOperations: 0, requests: 0, upgradeRequests: 0, malformedRequests: 0, refusedByDesign: 0, answered2xx: 0, answered4xx: 0, closedWithoutAnswer: 0, failures: 0 };
/** Requests each property saw closed without an answer. */
const closedWithoutAnswer: Record<string, number> = {};
/**
 * A request this small goes into the socket whole when it connects, before berthd reads any of it: a write
 * that fails then met a server that closed without answering. A larger one may be answered and closed on
 * while still being written, and node drops an answer that comes after its write failed.
 */
const WRITTEN_AT_ONCE_BYTES = 64 * 1024;

/** The served routes, their templates and the unserved operations requests went to. */
const routesHit = new Set<string>();
const templatesHit = new Set<string>();
const unservedHit = new Set<string>();

/** An operation as `METHOD /path/{}`: the API description and berthd's routes name path parameters differently. */
const operationKey = (method: string, template: string) => `${method} ${template.replace(/\{[^}]+\}/g, '{}')}`;

/** An id for the target's kind of object that names none. */
const missingId = fc.oneof(fc.constant('fuzz-missing'), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }));

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Ids and garbage that reach no existing object, even by a prefix of its ID or a leading slash. */
function unreachable(): fc.Arbitrary<string> {
  return fc.oneof(missingId, garbageSegment).filter((segment) => {
    const name = decoded(segment).toLowerCase().replace(/^\/+/, '').replace(/^sha256:/, '');
    return !fixtures.reachable.some((id) => id.startsWith(name) || id === `${name}:latest`);
  });
}

function fill(template: string, segment: string): string {
  return template.replace(/\{[^}]+\}/, segment);
}

interface Generated {
  target: Target;
  request: FuzzRequest;
  /** Designed to be invalid: anything but a 4xx is a failure. */
  mustRefuse: boolean;
}

/** The query parameters the description gives the operation. */
const queryOf = (target: Target) => specOperation(target.method, target.template).query;
const bodySchemaOf = (target: Target) => specOperation(target.method, target.template).body;

/** Routes whose body is a raw stream (an archive), not JSON. */
const STREAM_BODIES = new Set(['/containers/{id}/archive', '/images/load', '/build', '/images/create']);

/** A body for the target: a stream route gets bytes, others JSON text (valid-looking, broken or extreme). */
function bodyFor(target: Target): fc.Arbitrary<{ body: Buffer }> {
  if (STREAM_BODIES.has(target.template)) return garbageBytes.map((body) => ({ body }));
  if (target.method !== 'POST' && target.method !== 'PUT') return fc.constantFrom(Buffer.alloc(0), Buffer.from('{}')).map((body) => ({ body }));
  return anyBody(bodySchemaOf(target)).map((text) => ({ body: Buffer.from(text, 'utf8') }));
}

/** A create body naming the fixtures' image, unless it is not an object or sets Image itself (mistyped). */
function withImage(text: string): string {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || 'Image' in value) return text;
    return JSON.stringify({ ...value, Image: 'busybox' });
  } catch {
    return text;
  }
}

/** For a mutating route given an existing id (or none), an input it must refuse; undefined when none is designed. */
function refusalFor(target: Target): fc.Arbitrary<{ pairs: string[]; body: Buffer }> | undefined {
  const json = (arb: fc.Arbitrary<string>) => arb.map((text) => Buffer.from(text, 'utf8'));
  const invalidFilters = fc.constantFrom('{', '{"label":[1]}', '{"dangling":"true"}', '[]', '"x"', '{"until":{"a":"b"}}').map((f) => [`filters=${encodeURIComponent(f)}`]);
  switch (`${target.method} ${target.template}`) {
    case 'POST /containers/create':
      // The real image, so that nothing but the broken field can be what refuses the request.
      return fc.record({
        pairs: fc.constant([]),
        body: refusedBody(bodySchemaOf(target)).map((text) => Buffer.from(withImage(text), 'utf8')),
      });
    case 'POST /containers/{id}/update':
    case 'POST /containers/{id}/exec':
    case 'POST /volumes/create':
    case 'POST /networks/create':
    case 'POST /networks/{id}/connect':
    case 'POST /networks/{id}/disconnect':
      return fc.record({ pairs: fc.constant([]), body: json(refusedBody(bodySchemaOf(target))) });
    case 'POST /containers/{id}/kill':
      return fc.record({ pairs: fc.constantFrom('NOPE', 'SIGNOPE', '99999', '-1', '1.5', 'SIG').map((s) => [`signal=${s}`]), body: fc.constant(Buffer.alloc(0)) });
    case 'POST /containers/{id}/stop':
    case 'POST /containers/{id}/restart':
      return fc.record({ pairs: fc.constantFrom('abc', '1.5', 'NaN', '1s', '0x').map((t) => [`t=${t}`]), body: fc.constant(Buffer.alloc(0)) });
    case 'POST /containers/{id}/rename':
      return fc.record({ pairs: fc.constantFrom('', 'bad name', '-x', '/', 'a/b', '..', 'é').map((n) => [`name=${encodeURIComponent(n)}`]), body: fc.constant(Buffer.alloc(0)) });
    case 'POST /containers/prune':
    case 'POST /images/prune':
    case 'POST /volumes/prune':
    case 'POST /networks/prune':
    case 'POST /build/prune':
      return fc.record({ pairs: invalidFilters, body: fc.constant(Buffer.alloc(0)) });
    case 'POST /commit':
      return unreachable().map((container) => ({ pairs: [`container=${container}`], body: Buffer.alloc(0) }));
    case 'POST /images/load':
      return fc.record({ pairs: fc.constant([]), body: garbageBytes });
    default:
      return undefined;
  }
}

/** A reference no parser accepts (it holds spaces), so no registry is asked about it. */
const unparsableReference = fc.oneof(garbageSegment, missingId).map((s) => `${s}%20NOT%20A%20REFERENCE`);

/** The path segment, query and body for an offline route: nothing in them names a registry or a URL to fetch. */
function offlineInput(target: Target): fc.Arbitrary<{ segment: string; pairs: string[]; body?: Buffer }> {
  const notKeys = (keys: string[]) => (pairs: string[]) => pairs.filter((pair) => !keys.includes(decoded(pair.split('=')[0]!)));
  const names = queryOf(target);
  switch (`${target.method} ${target.template}`) {
    case 'POST /images/create':
      return fc.record({
        segment: fc.constant(''),
        pairs: fc
          .tuple(queryPairs(names).map(notKeys(['fromSrc', 'fromImage'])), fc.option(unparsableReference))
          .map(([pairs, ref]) => (ref === null ? pairs : [...pairs, `fromImage=${ref}`])),
      });
    case 'POST /auth': {
      const noUser = validLooking(bodySchemaOf(target) ?? {}).map((value) => {
        const { username: _u, serveraddress: _s, ...rest } = (value ?? {}) as Record<string, unknown>;
        return JSON.stringify(rest);
      });
      const body = fc.oneof(refusedBody(undefined), noUser).map((text) => Buffer.from(text, 'utf8'));
      return fc.record({ segment: fc.constant(''), pairs: queryPairs(names), body });
    }
    case 'POST /build':
      return fc.record({ segment: fc.constant(''), pairs: queryPairs(names).map(notKeys(['remote'])) });
    default:
      return fc.record({ segment: unparsableReference, pairs: queryPairs(names) });
  }
}

/** A request for the target that keeps to its mode's rules. */
function requestFor(target: Target, framings: readonly Framing[], extraHeaders: fc.Arbitrary<Array<[string, string]>>): fc.Arbitrary<Generated> {
  const existing = fixtures.pools[target.pool];
  // A malformed body may reach a route as no body at all, which a mutating route may take as "no options":
  // there, only ids that name nothing.
  const refusals = framings.every((f) => WELL_FORMED.includes(f));
  const anyInput = (segment: fc.Arbitrary<string>) =>
    fc.record({ segment, pairs: queryPairs(queryOf(target)), body: bodyFor(target).map((b) => b.body), mustRefuse: fc.constant(false) });
  let input: fc.Arbitrary<{ segment: string; pairs: string[]; body?: Buffer | undefined; mustRefuse: boolean }>;
  if (target.mode === 'read' || target.mode === 'unserved') {
    input = anyInput(existing.length ? fc.oneof(fc.constantFrom(...existing), unreachable()) : unreachable());
  } else if (target.mode === 'offline') {
    input = offlineInput(target).map((i) => ({ ...i, mustRefuse: false }));
  } else {
    const refusal = refusals ? refusalFor(target) : undefined;
    const refused = refusal
      ? [fc.record({ segment: existing.length ? fc.constantFrom(...existing) : fc.constant(''), refusal }).map(({ segment, refusal: r }) => ({ segment, pairs: r.pairs, body: r.body, mustRefuse: true }))]
      : [];
    // A route without an id takes none; without a designed refusal it gets only ids that name nothing.
    if (target.pool !== 'none') input = fc.oneof(anyInput(unreachable()), ...refused);
    else if (refused[0]) input = refused[0];
    else throw new Error(`${target.route} names no object, so it can only be sent a designed refusal: add one to refusalFor (well-formed framing only)`);
  }
  const contentType = STREAM_BODIES.has(target.template) ? 'application/x-tar' : 'application/json';
  return fc
    .record({ version: versionPrefix, input, headers: fc.tuple(headerPairs, extraHeaders), framing: fc.constantFrom(...framings) })
    .map(({ version, input: i, headers: [random, extra], framing }) => {
      const body = i.body ?? Buffer.alloc(0);
      // A designed refusal keeps its content type, so that it is refused for what it holds; otherwise a
      // random one replaces the route's (servers keep the first of repeated Content-Types).
      const randomType = !i.mustRefuse && random.some(([name]) => name.toLowerCase() === 'content-type');
      const headers: Array<[string, string]> = [
        ...(body.length && !randomType ? ([['Content-Type', contentType]] as Array<[string, string]>) : []),
        ...(i.mustRefuse ? random.filter(([name]) => name.toLowerCase() !== 'content-type') : random),
        ...extra,
      ];
      const path = `${version}${fill(target.template, i.segment)}${queryString(i.pairs)}`;
      return { target, mustRefuse: i.mustRefuse, request: { method: target.method, target: path, headers, body, framing } };
    });
}

/** A request as a short readable line: long paths, headers and bodies cut. */
function describeRequest(request: FuzzRequest): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text);
  return `${request.method} ${cut(request.target)} [${request.framing}] headers ${cut(JSON.stringify(request.headers))} body ${cut(JSON.stringify(request.body.toString('utf8')))}`;
}

/** Everything a fuzzed request may have done wrong (none: it passed). */
function problemsWith(generated: Generated, answer: RawAnswer, options: { wellFormed: boolean; requestBytes: number }): string[] {
  const { wellFormed } = options;
  const problems: string[] = [];
  if (answer.outcome === 'hung') problems.push(`no answer and no close within ${DEADLINE_MS} ms`);
  if (answer.outcome === 'closed' && wellFormed) problems.push(`closed without an answer${answer.error ? ` (${answer.error})` : ''}`);
  if (answer.outcome === 'closed-while-writing' && wellFormed && options.requestBytes <= WRITTEN_AT_ONCE_BYTES) {
    problems.push(`closed without an answer while a request of ${options.requestBytes} bytes was written (${answer.error ?? 'no error'})`);
  }
  if (answer.outcome !== 'answered') return problems;
  if (answer.status >= 500) problems.push(`status ${answer.status}: ${Buffer.from(answer.body, 'latin1').toString('utf8').slice(0, 300)}`);
  if (generated.mustRefuse && (answer.status < 400 || answer.status >= 500)) problems.push(`status ${answer.status} for an input designed to be refused`);
  // A 417 is the HTTP layer's refusal of an Expect it does not know, bodiless in Go's server as in node's.
  const httpLayer = answer.status === 417;
  if (wellFormed && answer.status >= 400 && !httpLayer && generated.request.method !== 'HEAD' && !isErrorBody(answer.body)) {
    problems.push(`status ${answer.status} without a JSON {"message"} body: ${answer.head.split('\r\n')[0]} ${answer.body.slice(0, 200)}`);
  }
  return problems;
}

function isErrorBody(body: string): boolean {
  try {
    return typeof (JSON.parse(Buffer.from(body, 'latin1').toString('utf8')) as { message?: unknown }).message === 'string';
  } catch {
    return false;
  }
}

async function pingOk(): Promise<boolean> {
  const answer = await rawExchange(daemon.socket, Buffer.from('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n'), { deadlineMs: DEADLINE_MS, halfClose: false, isHead: false });
  return answer.status === 200;
}

/** Sends one generated request and checks it; the daemon must still run and answer /_ping afterwards. */
async function exchange(generated: Generated, options: { property: string; wellFormed: boolean; checkState: boolean }): Promise<void> {
  const { request, target } = generated;
  counts.requests++;
  (target.mode === 'unserved' ? unservedHit : routesHit).add(target.route);
  if (target.mode !== 'unserved') templatesHit.add(operationKey(target.method, target.template));
  if (request.headers.some(([name]) => name.toLowerCase() === 'upgrade')) counts.upgradeRequests++;
  if (!options.wellFormed) counts.malformedRequests++;
  if (generated.mustRefuse) counts.refusedByDesign++;
  const bytes = serialize(request);
  const answer = await rawExchange(daemon.socket, bytes, { deadlineMs: DEADLINE_MS, halfClose: request.framing === 'short', isHead: request.method === 'HEAD' });
  if (answer.status >= 200 && answer.status < 300) counts.answered2xx++;
  if (answer.status >= 400 && answer.status < 500) counts.answered4xx++;
  if (answer.outcome === 'closed' || answer.outcome === 'closed-while-writing') {
    counts.closedWithoutAnswer++;
    closedWithoutAnswer[options.property] = (closedWithoutAnswer[options.property] ?? 0) + 1;
  }
  const problems = problemsWith(generated, answer, { wellFormed: options.wellFormed, requestBytes: bytes.length });
  if (daemon.process.exitCode !== null) problems.push(`berthd exited (${daemon.process.exitCode})`);
  else if (!(await pingOk())) problems.push('/_ping no longer answers');
  // Checked even after another problem, so that the baseline follows the state (see stateChanges).
  if (options.checkState) problems.push(...stateChanges(await snapshot()));
  if (problems.length) {
    counts.failures++;
    throw new Error(problems.join('; ').slice(0, 1000));
  }
}

/** What a request must not change: objects through the API and the data root's directories (mounts and conmons: see mountsAndConmons). */
async function snapshot(): Promise<string> {
  const docker = daemon.docker;
  const containers = await Promise.all(
    (await docker.listContainers({ all: true })).map(async ({ Id }) => {
      const c = await docker.getContainer(Id).inspect();
      return { Id, Name: c.Name, State: { ...c.State, Health: undefined }, Config: c.Config, HostConfig: c.HostConfig, ExecIDs: c.ExecIDs, RestartCount: c.RestartCount, Networks: c.NetworkSettings.Networks };
    }),
  );
  const exec = await docker.getExec(fixtures.unstartedExec).inspect();
  const images = (await docker.listImages({ all: true })).map(({ Id, RepoTags }) => ({ Id, RepoTags }));
  const volumes = ((await docker.listVolumes()).Volumes ?? []).map(({ Name }) => Name);
  const networks = (await docker.listNetworks()).map(({ Id, Name }) => ({ Id, Name }));
  const dirs: Record<string, string[]> = {};
  // The image store's and the builder's staging directories too: an import or build left half-done shows there.
  for (const dir of ['containers', 'layers', 'volumes', 'image/tmp', 'builder/tmp']) dirs[dir] = (await readdir(join(daemon.dataRoot, dir)).catch(() => [])).sort();
  return JSON.stringify({ containers, exec: { Running: exec.Running, ExitCode: exec.ExitCode, Pid: exec.Pid }, images, volumes, networks, dirs });
}

const fuzzParameters = (property: string): fc.Parameters<[Generated]> => ({
  seed: SEED,
  numRuns: RUNS,
  ...(PATH && property === PROPERTY ? { path: PATH } : {}),
  endOnFailure: false,
});

/**
 * Runs `targets`' requests as the property `name`; the state is compared with the baseline after the batch
 * (and after each request with `checkState`).
 */
async function fuzz(name: string, targets: Target[], framings: readonly Framing[], extraHeaders: fc.Arbitrary<Array<[string, string]>>, options: { checkState: boolean }): Promise<void> {
  const wellFormed = framings.every((f) => WELL_FORMED.includes(f));
  closedWithoutAnswer[name] = 0;
  const arbitrary = fc.constantFrom(...targets).chain((target) => requestFor(target, framings, extraHeaders));
  const details = await fc.check(
    fc.asyncProperty(arbitrary, (generated) => exchange(generated, { property: name, wellFormed, checkState: options.checkState })),
    fuzzParameters(name),
  );
  if (details.failed) {
    const [example] = details.counterexample ?? [];
    throw new Error(
      `property ${name} failed after ${details.numRuns} requests; replay it with BERTH_FUZZ_SEED=${details.seed} BERTH_FUZZ_PROPERTY=${name} BERTH_FUZZ_PATH=${details.counterexamplePath} ` +
        `(ids that name nothing are drawn to miss this run's container and exec ids, which a new run does not share: a replay may send a slightly different id)\n` +
        `shrunk counterexample: ${example ? describeRequest(example.request) : '(none)'}\n${String(details.errorInstance)}`,
    );
  }
  expect(await pingOk(), '/_ping after the batch').toBe(true);
  expect(stateChanges(await snapshot()), 'the daemon state after the batch').toEqual([]);
  expect(await mountsAndConmons(), 'the mounts and conmons after the batch').toBe(leftoversBaseline);
}

/**
 * Where a snapshot differs from the baseline, as `path: before → after` lines. A change found becomes the
 * new baseline, so that shrinking looks for a request that changes the state itself, and a later batch is
 * judged on its own requests.
 */
function stateChanges(current: string): string[] {
  const changes: string[] = [];
  const walk = (path: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    if (before && after && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) === !Array.isArray(after)) {
      const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
      for (const key of keys) walk(`${path}.${key}`, (before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key]);
      return;
    }
    changes.push(`the daemon state changed at ${path}: ${JSON.stringify(before)?.slice(0, 200)} → ${JSON.stringify(after)?.slice(0, 200)}`);
  };
  walk('state', JSON.parse(baseline), JSON.parse(current));
  baseline = current;
  return changes;
}

const noHeaders = fc.constant<Array<[string, string]>>([]);
const plain = SERVED.filter((t) => !t.upgrade);

describe('fuzzing every route of a real berthd', () => {
  beforeAll(async () => {
    if (PATH && !PROPERTY) throw new Error('BERTH_FUZZ_PATH replays one property: name it with BERTH_FUZZ_PROPERTY');
    console.log(`fuzz: seed ${SEED}, ${RUNS} runs per property (BERTH_FUZZ_SEED, BERTH_FUZZ_RUNS, BERTH_FUZZ_PROPERTY and BERTH_FUZZ_PATH to reproduce or extend)`);
    const running = await runDetached(daemon, ['--name', 'fuzz-running', 'busybox', 'sleep', '3600']);
    const created = (await daemon.docker.createContainer({ Image: 'busybox', name: 'fuzz-created', Cmd: ['true'] })).id;
    const exec = await daemon.docker.getContainer(running).exec({ Cmd: ['true'] });
    await daemon.docker.createVolume({ Name: 'fuzz-volume' });
    // An untagged image, which an image prune that ignored its filters would remove.
    await daemon.docker.getContainer(created).commit();
    const images = await daemon.docker.listImages();
    const networks = await daemon.docker.listNetworks();
    const imageNames = images.flatMap((i) => [i.Id, i.Id.replace('sha256:', '').slice(0, 12), ...(i.RepoTags ?? [])]);
    const pools: Record<Pool, string[]> = {
      containers: [running, running.slice(0, 12), 'fuzz-running', created, 'fuzz-created'],
      execs: [exec.id],
      images: imageNames,
      volumes: ['fuzz-volume'],
      networks: networks.flatMap((n) => [n.Id, n.Name]),
      none: [],
    };
    const reachable = [...pools.containers, ...pools.execs, ...imageNames.map((n) => n.replace(/^sha256:/, '')), ...pools.volumes, ...pools.networks, 'busybox'].map((id) => id.toLowerCase());
    fixtures = { pools, reachable, unstartedExec: exec.id };
    baseline = await snapshot();
    leftoversBaseline = await mountsAndConmons();
  });

  afterAll(() => {
    counts.routes = routesHit.size;
    counts.unservedOperations = unservedHit.size;
    const closedPerProperty = Object.fromEntries(Object.entries(closedWithoutAnswer).map(([property, n]) => [`closedWithoutAnswer.${property}`, n]));
    recordCounts('fuzz', { ...counts, ...closedPerProperty, seed: SEED });
  });

  it('answers read-only routes below 500 whatever they are sent, on real ids and on garbage', async () => {
    await fuzz('read', plain.filter((t) => t.mode === 'read'), WELL_FORMED, noHeaders, { checkState: false });
  });

  it('refuses what the mutating routes are sent, and changes nothing', async () => {
    await fuzz('mutating', plain.filter((t) => t.mode === 'mutating'), WELL_FORMED, noHeaders, { checkState: true });
  });

  it('refuses requests to registry routes before reaching any registry', async () => {
    await fuzz('offline', plain.filter((t) => t.mode === 'offline'), WELL_FORMED, noHeaders, { checkState: false });
  });

  it('answers the API operations it does not serve with a 404', async () => {
    await fuzz('unserved', UNSERVED, WELL_FORMED, noHeaders, { checkState: false });
  });

  it('survives malformed framing on every route: short and long bodies, bad chunks, both lengths', async () => {
    // Routes that create from nothing but a body are left out: a malformed body may arrive as none.
    await fuzz('malformed', plain.filter((t) => t.mode !== 'mutating' || t.pool !== 'none'), MALFORMED, noHeaders, { checkState: false });
  });

  it('answers upgrade requests on every route, hijacking ones included', async () => {
    await fuzz('upgrade', SERVED, WELL_FORMED, upgradeHeaders, { checkState: false });
  });

  it('maps every operation of the API description to a served template or to the unserved ones', () => {
    const known = new Set([...SERVED, ...UNSERVED].map((t) => operationKey(t.method, t.template)));
    const operations = Object.entries(SPEC.paths).flatMap(([template, ops]) =>
      Object.keys(ops)
        .filter((method) => method !== 'parameters')
        .map((method) => operationKey(method.toUpperCase(), template)),
    );
    expect(operations.filter((op) => !known.has(op))).toEqual([]);
  });

  // A replay runs one property on a path of its own, and fewer runs than the default may miss a route by
  // chance: the check holds only for a full default run (where a miss is below e^-30 per route).
  it.skipIf(PATH !== undefined || RUNS < DEFAULT_RUNS)('sent requests to every served route and template, and to every operation it does not serve', () => {
    const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
    const hint = `some never drawn in ${RUNS} runs per property (BERTH_FUZZ_RUNS)`;
    expect(sorted(routesHit), hint).toEqual(sorted(SERVED.map((t) => t.route)));
    expect(sorted(templatesHit), hint).toEqual(sorted(SERVED.map((t) => operationKey(t.method, t.template))));
    expect(sorted(unservedHit), hint).toEqual(sorted(UNSERVED.map((t) => t.route)));
  });
});
