import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxArchive, dockerOk, run, startTestDaemon, type CommandResult, type TestDaemon } from '../harness.js';
import { createTestNetns, type TestNetns } from '../netns.js';
import { REPO_ROOT } from '../paths.js';
import { npmClientVersion } from './client-versions.js';

const SCENARIO = join(REPO_ROOT, 'e2e/scripts/testcontainers-scenario.mjs');
const DEBIAN_CONTEXT_TOOL = join(REPO_ROOT, 'tools/debian-image.mjs');

type Step = Record<string, unknown> & { step: string; error?: string };

// testcontainers reaches mapped ports on the daemon's host, so the scenario runs in the namespace the
// test's berthd runs in (its published ports answer on that namespace's 127.0.0.1 only).
describe(`testcontainers ${npmClientVersion('testcontainers')} (Node)`, () => {
  let netns: TestNetns;
  let d: TestDaemon;
  let scenario: CommandResult;
  const steps = new Map<string, Step>();

  beforeAll(async () => {
    netns = await createTestNetns();
    d = await startTestDaemon([], { netns });
    await dockerOk(d, ['load', '-i', await busyboxArchive()]);
    // The scenario's Debian-based image, made from this machine's Debian packages with `berth build`.
    const context = join(d.root, 'debian-context');
    const made = await run(process.execPath, [DEBIAN_CONTEXT_TOOL, context]);
    expect(made.code, made.stderr).toBe(0);
    const built = await d.berth(['build', '-q', '-t', 'berth-debian:test', context]);
    expect(built.code, built.stderr).toBe(0);
    scenario = await run('nsenter', [`--net=${netns.path}`, process.execPath, SCENARIO], {
      env: {
        DOCKER_HOST: d.host,
        // Ryuk's image cannot be fetched here; the scenario stops what it starts, and the last test proves it.
        TESTCONTAINERS_RYUK_DISABLED: 'true',
        // Otherwise, finding /.dockerenv here, it would use the gateway of the daemon's `bridge` network (172.17.0.1, which answers too).
        TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1',
        // Its lock file goes into the test's own temp dir, which cleanup removes.
        TMPDIR: d.root,
      },
    });
    // With DEBUG=testcontainers* its log shares stdout; the scenario's own lines are the JSON ones.
    for (const line of scenario.stdout.split('\n').filter((l) => l.startsWith('{"step"'))) {
      const step = JSON.parse(line) as Step;
      steps.set(step.step, step);
    }
  }, 300_000);

  afterAll(async () => {
    const leftovers = await d?.cleanup();
    await netns?.remove();
    expect(leftovers?.mounts).toEqual([]);
  });

  /** What a step of the scenario saw; a step that threw fails here with its message and the script's stderr. */
  const step = (name: string): Step => {
    const seen = steps.get(name);
    expect(seen, `${name} did not report; exit ${scenario.code}, stderr:\n${scenario.stderr}`).toBeDefined();
    expect(seen!.error, scenario.stderr).toBeUndefined();
    return seen!;
  };

  it('finds the daemon through DOCKER_HOST', () => {
    expect(step('runtime')).toMatchObject({ host: '127.0.0.1', serverVersion: expect.any(String) });
  });

  it('waits for a log line, then reaches the exposed port from the host', () => {
    expect(step('wait-log')).toMatchObject({ body: 'by-log\n', host: '127.0.0.1' });
  });

  it('waits for the port to listen, inside the container and on its mapped host port', () => {
    expect(step('wait-port')).toMatchObject({ body: 'by-port\n' });
  });

  it('waits for the container to report healthy', () => {
    expect(step('wait-health')).toMatchObject({ body: 'by-health\n' });
  });

  it('execs, copies content in (before and after start) and an archive out, and stops', () => {
    expect(step('exec-copy-stop')).toMatchObject({
      exec: { exitCode: 3, stdout: 'out\n', stderr: 'err\n' },
      copiedIn: 'before start\nafter start\n640\n',
      copiedOut: { 'index.html': 'copied\n' },
    });
  });

  it('puts two containers on a network where one reaches the other by alias', () => {
    const seen = step('network');
    expect(seen).toMatchObject({ exitCode: 0, body: 'by-alias\n' });
    expect(seen.networks).toEqual([seen.name]);
  });

  it('starts a Debian-based image built with berth build, waiting for its port and its health check', () => {
    expect(step('debian')).toMatchObject({ body: expect.stringMatching(/^12\.\d+\n$/), osRelease: expect.stringContaining('Debian GNU/Linux 12') });
  });

  it('leaves no container and no network behind', async () => {
    expect(scenario.code).toBe(0);
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
    expect((await d.docker.listNetworks()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
  });
});
